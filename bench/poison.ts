// The chaos suite's poison scenario (scenario 5) in memory: the whole pipeline, at-least-once with a LIGHTWEIGHT
// tracker, over a clean input and over one with 2 % bad records. Rounds alternate which input goes first, so warm-up
// and the machine's drift weigh on both alike (tinybench runs its tasks one after the other, and whichever ran second
// came out 10–25 % faster here). Prints each input's median records per second and their ratio. No Kafka client and no
// store: this is the pipeline's own cost of bad records; the chaos test adds both.
import { median } from '../soak/summary.ts';
import { inMemoryPipeline } from './suites.ts';
import type { Suite } from './suites.ts';

declare const Bun: unknown;
const runtime = typeof Bun !== 'undefined' ? 'bun' : 'node';
// `--rounds N`, else BENCH_POISON_ROUNDS (which `npm run bench:poison` hands to both runtimes), else 30.
const roundsArg = process.argv.indexOf('--rounds');
const roundsText = roundsArg > 0 ? process.argv[roundsArg + 1] : process.env.BENCH_POISON_ROUNDS;
const rounds = roundsText === undefined ? 30 : Number(roundsText);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds (--rounds or BENCH_POISON_ROUNDS): a whole number ≥ 1, got ${roundsText}`);

const options = { records: 10_000, failureMode: 'skip-and-log', trackerStrategy: 'LIGHTWEIGHT' } as const;
const clean = inMemoryPipeline({ ...options, poison: 'clean' });
const poisoned = inMemoryPipeline({ ...options, poison: 'poisoned' });

async function perSecond(suite: Suite): Promise<number> {
  const started = performance.now();
  await suite.run();
  return suite.records / ((performance.now() - started) / 1000);
}

for (let i = 0; i < 3; i++) {
  await perSecond(clean);
  await perSecond(poisoned);
}
const rates = { clean: [] as number[], poisoned: [] as number[] };
const ratios: number[] = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ([clean, poisoned] as const) : ([poisoned, clean] as const);
  const measured = new Map<Suite, number>();
  for (const suite of order) measured.set(suite, await perSecond(suite));
  const [c, p] = [measured.get(clean) as number, measured.get(poisoned) as number];
  rates.clean.push(c);
  rates.poisoned.push(p);
  ratios.push(p / c);
}
console.log(
  JSON.stringify({
    runtime,
    rounds,
    records: options.records,
    cleanPerSecond: Math.round(median(rates.clean)),
    poisonedPerSecond: Math.round(median(rates.poisoned)),
    // The median of each round's ratio: both inputs measured back to back, in alternating order.
    ratio: Number(median(ratios).toFixed(3)),
  }),
);
