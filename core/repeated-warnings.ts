import type { LogFields, Logger } from './logger.ts';
import type { Clock, TimerHandle } from './platform.ts';

/** How long repeats of one warning are folded into a single line. */
export const repeatedWarningIntervalMs = 10_000;

interface Run {
  lastAt: number;
  /** Warnings folded since the last line, and the sum of their `records` fields. */
  folded: number;
  records: number;
  fields: LogFields;
  message: string;
  timer: TimerHandle | undefined;
}

/**
 * Warnings that repeat while a dependency is down (a tracker write skipped per batch, or per record) would fill the
 * log: the first of a run is logged at once, the repeats within `intervalMs` are folded into one line at its end
 * (`repeated`: how many, `records`: their `records` summed, the last one's other fields), then the cycle starts over.
 */
export class RepeatedWarnings {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #runs = new Map<string, Run>();

  constructor(logger: Logger, clock: Clock, intervalMs = repeatedWarningIntervalMs) {
    this.#logger = logger;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
  }

  warn(key: string, fields: LogFields, message: string): void {
    const now = this.#clock.monotonic();
    const run = this.#runs.get(key);
    if (!run || (run.folded === 0 && now - run.lastAt >= this.#intervalMs)) {
      this.#logger.warn(fields, message);
      this.#runs.set(key, { lastAt: now, folded: 0, records: 0, fields, message, timer: undefined });
      return;
    }
    run.folded++;
    run.records += typeof fields.records === 'number' ? fields.records : 0;
    run.fields = fields;
    run.message = message;
    run.timer ??= this.#clock.setTimer(() => this.#flush(key), Math.max(1, run.lastAt + this.#intervalMs - now));
  }

  #flush(key: string): void {
    const run = this.#runs.get(key);
    if (!run || run.folded === 0) return;
    this.#logger.warn({ ...run.fields, repeated: run.folded, records: run.records }, `${run.message} (repeated)`);
    run.lastAt = this.#clock.monotonic();
    run.folded = 0;
    run.records = 0;
    run.timer = undefined;
  }
}
