import type { GateResult } from './gates.ts';
import type { RecordCounts } from './summary.ts';

/** The soak's exit statuses, decided here and documented in docs/soak.md. */
export const SoakExit = {
  /** Every record exactly once and in order (or within --max-lost / --max-duplicated), every gate met. */
  ok: 0,
  /** Records out of order, or records that are no id of the run. */
  records: 1,
  /** Bad flags, or a --baseline that cannot be read. */
  usage: 2,
  /** A phase did not finish: deadline, the process exited, the producer failed. */
  unfinished: 3,
  /** A gate failed (its figure is past its limit, or could not be measured). */
  gate: 4,
} as const;

export type SoakExitStatus = (typeof SoakExit)[keyof typeof SoakExit];

/** The worst first: a run that did not finish says nothing about its gates; wrong records before slow ones. */
export function exitStatus(unfinished: boolean, records: RecordCounts, gates: readonly GateResult[]): SoakExitStatus {
  if (unfinished) return SoakExit.unfinished;
  if (records.out_of_order > 0 || records.unknown > 0) return SoakExit.records;
  if (gates.some((gate) => !gate.passed)) return SoakExit.gate;
  return SoakExit.ok;
}

/** One line for the verdict in summary.md and report.html. */
export function exitMeaning(status: SoakExitStatus): string {
  switch (status) {
    case SoakExit.ok:
      return 'passed';
    case SoakExit.records:
      return 'failed: records out of order or unknown';
    case SoakExit.usage:
      return 'bad usage';
    case SoakExit.unfinished:
      return 'failed: a phase did not finish';
    case SoakExit.gate:
      return 'failed: a gate was not met';
  }
}
