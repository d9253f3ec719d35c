/** Exponential backoff with full jitter: the nth retry waits a uniform time in [0, min(maxDelayMs, initialDelayMs × factor^(n-1))). */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** 'full' draws each delay uniformly below its ceiling; 'none' waits the ceiling itself. */
  readonly jitter: 'full' | 'none';
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
  return options.jitter === 'full' ? Math.floor(random() * ceiling) : ceiling;
};

export const retryOptions = (partial: Partial<RetryOptions> = {}): RetryOptions => ({ ...defaultRetry, ...partial });
