import { mkdirSync } from 'node:fs';
import type { SoakOptions } from './options.ts';
import { writeOutputs } from './outputs.ts';
import { runPhase } from './phase.ts';
import type { PhaseHooks, PhaseResult } from './phase.ts';
import { soakSummary } from './summary.ts';
import type { Round, SoakSummary } from './summary.ts';
import { versions } from './versions.ts';

export interface SoakRun {
  readonly summary: SoakSummary;
  readonly files: readonly string[];
  /** 0 exact; 1 lost, duplicated or out-of-order records; 3 a phase did not finish. */
  readonly exitCode: 0 | 1 | 3;
}

const describe = (phase: PhaseResult): string =>
  `${phase.name}: ${phase.audit.consumed.toLocaleString('en-US')}/${phase.produced.toLocaleString('en-US')} records, ` +
  `${phase.throughput.toLocaleString('en-US')} records/s, p99 ${phase.latency.p99} ms, ` +
  `lost ${phase.audit.lost}, duplicated ${phase.audit.duplicated}, out of order ${phase.audit.outOfOrder}` +
  (phase.failure ? ` — ${phase.failure}` : '');

/**
 * `repeat` rounds, each the raw loop first (with --compare raw) and then the pipeline, each phase on fresh topics; a
 * phase that does not finish ends the run. Then summary.json and the rest into options.out.
 */
export async function runSoak(options: SoakOptions, hooks: PhaseHooks = {}, say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<SoakRun> {
  mkdirSync(options.out, { recursive: true });
  const startedAt = new Date();
  const rounds: Round[] = [];
  const n = options.messages.toLocaleString('en-US');
  for (let round = 1; round <= options.repeat; round++) {
    const of = options.repeat > 1 ? ` (round ${round} of ${options.repeat})` : '';
    let raw: PhaseResult | undefined;
    if (options.compare === 'raw') {
      say(`soak: raw loop, ${options.mode}, ${n} records${of}`);
      raw = await runPhase('raw', options, {}, round);
      say(describe(raw));
    }
    say(`soak: pipeline on ${options.runtime}, ${options.mode}, ${n} records${of}`);
    const pipeline = await runPhase('pipeline', options, hooks, round);
    say(describe(pipeline));
    rounds.push({ raw, pipeline });
    if (pipeline.failure || raw?.failure) break;
  }
  const summary = soakSummary(options, rounds, versions(options.runtime), startedAt, new Date());
  const last = rounds.at(-1) as Round;
  const files = await writeOutputs(options.out, summary, last.pipeline, last.raw);
  if (summary.compare) say(`pipeline / raw = ${summary.compare.ratio}`);
  say(`soak: ${summary.ok ? 'OK' : 'FAILED'}; report in ${options.out}/report.html`);
  const failed = rounds.some((r) => r.raw?.failure !== undefined || r.pipeline.failure !== undefined);
  return { summary, files, exitCode: summary.ok ? 0 : failed ? 3 : 1 };
}
