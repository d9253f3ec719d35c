// Runs the core's micro-benchmarks with tinybench in the current runtime (Node or Bun) and writes
// bench/out/results-<runtime>.json; bench/report.ts merges them into bench/results.json and BENCHMARKS.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { pipelineSuites, stageSuites } from './suites.ts';
import type { Suite } from './suites.ts';

declare const Bun: { version: string } | undefined;
const runtime = typeof Bun !== 'undefined' ? 'bun' : 'node';
const version = typeof Bun !== 'undefined' ? Bun.version : process.versions.node;
const quick = process.argv.includes('--quick');

export interface Row {
  readonly name: string;
  readonly runtime: string;
  readonly runtimeVersion: string;
  /** Records per second. */
  readonly perSecond: number;
  readonly recordsPerOp: number;
  readonly opsPerSecond: number;
  readonly meanMs: number;
  readonly p99Ms: number;
  readonly rme: number;
  readonly samples: number;
  readonly date: string;
}

async function measure(suites: Suite[], time: number, iterations = 64): Promise<Row[]> {
  const bench = new Bench({ time: quick ? time / 5 : time, iterations: quick ? Math.min(iterations, 8) : iterations, warmupTime: quick ? 50 : 250 });
  for (const suite of suites) bench.add(suite.name, suite.run);
  await bench.run();
  return bench.tasks.map((task) => {
    const suite = suites.find((s) => s.name === task.name) as Suite;
    const result = task.result as unknown as {
      throughput: { mean: number; rme: number };
      latency: { mean: number; p99: number; samplesCount: number };
    };
    return {
      name: task.name,
      runtime,
      runtimeVersion: version,
      perSecond: Math.round(result.throughput.mean * suite.records),
      recordsPerOp: suite.records,
      opsPerSecond: Number(result.throughput.mean.toFixed(2)),
      meanMs: Number(result.latency.mean.toFixed(4)),
      p99Ms: Number(result.latency.p99.toFixed(4)),
      rme: Number(result.throughput.rme.toFixed(2)),
      samples: result.latency.samplesCount,
      date: new Date().toISOString(),
    };
  });
}

type StoreSuites = () => Promise<{ suites: Suite[]; close(): Promise<void> }>;

/** Store suites run against the real servers when `--stores` is given (npm run bench brings them up first). */
async function storeRows(): Promise<Row[]> {
  if (!process.argv.includes('--stores')) return [];
  const stores: [string, string, string][] = [
    ['redis', './stores/redis.ts', 'redisSuites'],
    ['postgres', './stores/postgres.ts', 'postgresSuites'],
    ['mongodb', './stores/mongodb.ts', 'mongoSuites'],
  ];
  const rows: Row[] = [];
  for (const [name, path, exported] of stores) {
    const module = (await import(path)) as Record<string, StoreSuites>;
    const make = module[exported];
    if (!make) throw new Error(`${path} does not export ${exported}`);
    const { suites, close } = await make();
    try {
      // A few iterations: a store call moves 500 rows, and slow stores (FerretDB) must not take the run hostage.
      rows.push(...(await measure(suites, 2_000, 8)));
    } finally {
      await close();
    }
    console.error(`${runtime}: ${name} store benchmarks done`);
  }
  return rows;
}

const rows = [
  ...(await measure(stageSuites(), 1_000)),
  ...(await measure(pipelineSuites(), 3_000)),
  ...(await storeRows()),
];
mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./out/results-${runtime}.json`, import.meta.url), `${JSON.stringify(rows, null, 2)}\n`);
for (const row of rows) {
  console.log(`${runtime.padEnd(5)} ${row.name.padEnd(42)} ${row.perSecond.toLocaleString('en-US').padStart(12)} records/s  ±${row.rme}%`);
}
