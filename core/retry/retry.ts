import type { OrchestronError } from '../errors.ts';
import { toOrchestronError } from '../errors.ts';
import type { Clock } from '../platform.ts';
import { sleep } from '../platform.ts';
import type { RetryOptions } from './backoff.ts';
import { backoffDelay } from './backoff.ts';

export interface AttemptOutcome<T> {
  readonly ok: boolean;
  readonly value?: T;
  readonly error?: OrchestronError;
  /** Attempts made, the first included. */
  readonly attempts: number;
  readonly firstFailureAt?: number;
  readonly lastFailureAt?: number;
  /** The signal ended the retries while the failure was retryable and attempts were left: the record is unfinished. */
  readonly interrupted?: boolean;
}

export interface RetryContext {
  readonly clock: Clock;
  readonly random: () => number;
  readonly signal?: AbortSignal;
  /** Called after each failed attempt, before any wait. */
  readonly onFailure?: (error: OrchestronError, attempt: number) => void;
  /** Runs each backoff wait (e.g. giving up a place among concurrent lanes meanwhile); default: waits in place. */
  readonly wait?: (waiting: () => Promise<void>) => Promise<void>;
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or runs out of attempts. Never throws. */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions,
  context: RetryContext,
): Promise<AttemptOutcome<T>> {
  let firstFailureAt: number | undefined;
  for (let n = 1; ; n++) {
    try {
      return { ok: true, value: await attempt(n), attempts: n, firstFailureAt };
    } catch (thrown) {
      const error = toOrchestronError(thrown);
      const lastFailureAt = context.clock.now();
      firstFailureAt ??= lastFailureAt;
      context.onFailure?.(error, n);
      if (!error.retryable || n >= options.attempts) return { ok: false, error, attempts: n, firstFailureAt, lastFailureAt };
      if (context.signal?.aborted) return { ok: false, error, attempts: n, firstFailureAt, lastFailureAt, interrupted: true };
      const delay = backoffDelay(options, n, context.random);
      const waiting = () => sleep(context.clock, delay, context.signal);
      try {
        await (context.wait ? context.wait(waiting) : waiting());
      } catch {
        return { ok: false, error, attempts: n, firstFailureAt, lastFailureAt, interrupted: true };
      }
    }
  }
}
