import { mkdirSync } from 'node:fs';
import { baselineLines, compareWithBaseline, readBaseline } from './baseline.ts';
import { exitStatus } from './exit-status.ts';
import type { SoakExitStatus } from './exit-status.ts';
import { evaluateGates, gateLine } from './gates.ts';
import { machineAtEnd, machineAtStart } from './machine.ts';
import type { SoakOptions } from './options.ts';
import { writeOutputs } from './outputs.ts';
import { runFloorPhase } from './floor.ts';
import { runPhase } from './phase.ts';
import type { PhaseHooks, PhaseName, PhaseResult } from './phase.ts';
import { allPhases, compareNames, soakSummary } from './summary.ts';
import type { Round, SoakSummary } from './summary.ts';
import { versions } from './versions.ts';

export interface SoakRun {
  readonly summary: SoakSummary;
  readonly files: readonly string[];
  /** exit-status.ts: 0 passed; 1 out-of-order or unknown records; 3 a phase did not finish; 4 a gate failed. */
  readonly exitCode: SoakExitStatus;
}

const describe = (phase: PhaseResult, openLoop: boolean): string =>
  `${phase.name}: ${phase.audit.consumed.toLocaleString('en-US')}/${phase.produced.toLocaleString('en-US')} records, ` +
  `${phase.throughput.toLocaleString('en-US')} records/s, p99 ${phase.latency.p99} ms${openLoop ? '' : ' in the backlog'}, ` +
  `lost ${phase.audit.lost}, duplicated ${phase.audit.duplicated}, out of order ${phase.audit.outOfOrder}` +
  (phase.audit.deadLettered || phase.audit.filtered ? `, dead-lettered ${phase.audit.deadLettered}, filtered ${phase.audit.filtered}` : '') +
  (phase.failure ? ` — ${phase.failure}` : '');

/**
 * `repeat` rounds, each the floor first (with --floor), then the raw loop and the pipeline (with --compare raw), or the
 * pipeline at-least-once and exactly-once taking turns to go first (with --compare alo: alo first in odd rounds, so that
 * a drift in the machine's load favours neither), or the pipeline alone; each phase on fresh topics; a phase that
 * does not finish ends the run (after its round). Then the gates, the comparison with --baseline, and summary.json,
 * summary.md and the rest into options.out. An unreadable --baseline throws a ConfigError before anything runs.
 */
export async function runSoak(options: SoakOptions, hooks: PhaseHooks = {}, say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<SoakRun> {
  const baseline = options.baseline === undefined ? undefined : readBaseline(options.baseline);
  mkdirSync(options.out, { recursive: true });
  const startedAt = new Date();
  const machine = machineAtStart();
  const rounds: Round[] = [];
  const n = options.messages.toLocaleString('en-US');
  for (let round = 1; round <= options.repeat; round++) {
    const of = options.repeat > 1 ? ` (round ${round} of ${options.repeat})` : '';
    let floor: PhaseResult | undefined;
    if (options.floor) {
      say(`soak: floor (producer straight to the verifier, no process), ${n} records${of}`);
      floor = await runFloorPhase(options, round, hooks.interrupt);
      say(describe(floor, options.rate !== undefined));
    }
    const what = options.target.kind === 'command' ? `command ${options.target.argv.join(' ')}` : options.target.kind === 'config' ? `${options.target.config.file} on ${options.runtime}` : `pipeline on ${options.runtime}`;
    const measure = async (name: Exclude<PhaseName, 'floor'>): Promise<PhaseResult> => {
      say(`soak: ${name === 'raw' ? 'raw loop' : what}, ${name === 'alo' ? 'alo' : options.mode}, ${n} records${of}`);
      // The raw loop is not the process soak:doctor wraps.
      const phase = await runPhase(name, options, name === 'raw' ? (hooks.interrupt ? { interrupt: hooks.interrupt } : {}) : hooks, round);
      say(describe(phase, options.rate !== undefined));
      return phase;
    };
    const referenceFirst = options.compare !== 'alo' || round % 2 === 1;
    const before = options.compare && referenceFirst ? await measure(options.compare) : undefined;
    const pipeline = await measure('pipeline');
    const reference = before ?? (options.compare ? await measure(options.compare) : undefined);
    rounds.push({ floor, reference, pipeline, ...(options.compare ? { referenceFirst } : {}) });
    if (pipeline.failure || reference?.failure || floor?.failure) break;
  }
  const measured = soakSummary(options, rounds, versions(options.runtime), startedAt, new Date(), machineAtEnd(machine));
  const comparison = baseline && options.baseline ? compareWithBaseline(measured, baseline, options.baseline) : undefined;
  const gates = evaluateGates(measured, options.gates, comparison);
  const unfinished = rounds.some((r) => r.floor?.failure !== undefined || r.reference?.failure !== undefined || r.pipeline.failure !== undefined);
  const exitCode = exitStatus(unfinished, allPhases(measured), gates);
  const summary: SoakSummary = { ...measured, gates, ...(comparison ? { baseline: comparison } : {}), exit_status: exitCode };
  const last = rounds.at(-1) as Round;
  const files = await writeOutputs(options.out, summary, last.pipeline, last.reference, baseline, say, last.floor);
  if (summary.compare) {
    const [pipelineName, referenceName] = compareNames[summary.compare.target ?? 'raw'].short;
    const median = summary.rounds ? `, medians of ${summary.rounds.length} rounds` : '';
    say(`${pipelineName} / ${referenceName} = ${summary.compare.ratio}; CPU per record ${referenceName} / ${pipelineName} = ${summary.compare.cpu_ratio ?? 'not measured'}${median}`);
  }
  if (summary.floor) say(`soak floor (no process): p50 ${summary.floor.latency_ms.p50} ms, p99 ${summary.floor.latency_ms.p99} ms`);
  if (comparison) for (const line of baselineLines(comparison)) say(line);
  const failed = gates.filter((g) => !g.passed);
  for (const gate of failed) say(`gate failed: ${gateLine(gate)}`);
  say(`soak: ${exitCode === 0 ? 'OK' : `FAILED (exit ${exitCode})`}; report in ${options.out}/report.html, summary.md beside it`);
  return { summary, files, exitCode };
}
