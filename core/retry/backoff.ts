/**
 * How a retry's wait is drawn below its ceiling (min(maxDelayMs, initialDelayMs × factor^(n-1)) for the nth retry):
 * `full` uniformly in [0, ceiling) — spreads retries most, but a wait can be near 0; `equal` uniformly in
 * [ceiling/2, ceiling) — spread, and never less than half; `none` the ceiling itself (1 s → 2 s → 4 s).
 */
export const JitterModes = ['full', 'equal', 'none'] as const;
export type Jitter = (typeof JitterModes)[number];

/** Exponential backoff with jitter (see JitterModes). */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  readonly jitter: Jitter;
}

/** The seeds' schedule: 3 attempts, 1 s doubling to a 30 s cap. */
export const defaultRetry: RetryOptions = {
  attempts: 3,
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 'full',
};

/** The ceiling of the wait before retry number `retry` (1-based). */
export const backoffCeiling = (options: RetryOptions, retry: number): number =>
  Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** Math.max(0, retry - 1));

export const backoffDelay = (options: RetryOptions, retry: number, random: () => number): number => {
  const ceiling = backoffCeiling(options, retry);
  switch (options.jitter) {
    case 'full':
      return Math.floor(random() * ceiling);
    case 'equal':
      return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
    case 'none':
      return ceiling;
  }
};

export const retryOptions = (partial: Partial<RetryOptions> = {}): RetryOptions => ({ ...defaultRetry, ...partial });
