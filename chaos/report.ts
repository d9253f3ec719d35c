import { profile } from './profile.ts';

/** The figures of one scenario run, printed as one line for docs/reliability.md's table. */
export interface ChaosFigures {
  readonly records: number;
  readonly faults: string;
  readonly lost: number;
  readonly duplicated: number;
  /** Longest time from a fault's end (or a restart) to the next committed batch, in ms. */
  readonly recoveryMs?: number;
  readonly [more: string]: unknown;
}

export function report(scenario: string, figures: ChaosFigures): void {
  console.log(`[chaos] ${scenario} (${profile}) ${JSON.stringify(figures)}`);
}

export const randomBetween = (min: number, max: number): number => min + Math.random() * (max - min);
