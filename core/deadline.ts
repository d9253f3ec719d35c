import type { OrchestronError } from './errors.ts';
import type { Clock } from './platform.ts';
import { SharedDeadlines } from './shared-deadlines.ts';

/**
 * Calls `operation` with a signal that aborts at `timeoutMs` (with `timeoutError()`) or when `parent` aborts.
 * The result settles at the deadline even if the operation ignores its signal. A synchronous result returns at once
 * and costs no timer. One call's deadline, exact; for many concurrent attempts of one timeout, `SharedDeadlines`.
 */
export function withDeadline<T>(
  clock: Clock,
  timeoutMs: number,
  operation: (signal: AbortSignal) => T | Promise<T>,
  timeoutError: () => OrchestronError,
  parent?: AbortSignal,
): T | Promise<T> {
  const deadlines = new SharedDeadlines(clock, timeoutMs, timeoutError, parent, 0);
  let result: T | Promise<T>;
  try {
    result = deadlines.run(operation);
  } catch (error) {
    deadlines.close();
    throw error;
  }
  if (!(result instanceof Promise)) {
    deadlines.close();
    return result;
  }
  return result.finally(() => deadlines.close());
}
