import type { OrchestronError } from './errors.ts';
import type { Clock } from './platform.ts';

/**
 * Calls `operation` with a signal that aborts at `timeoutMs` (with `timeoutError()`) or when `parent` aborts.
 * The result settles at the deadline even if the operation ignores its signal. A synchronous result returns at once
 * and costs no timer, which keeps the per-record hot path cheap.
 */
export function withDeadline<T>(
  clock: Clock,
  timeoutMs: number,
  operation: (signal: AbortSignal) => T | Promise<T>,
  timeoutError: () => OrchestronError,
  parent?: AbortSignal,
): T | Promise<T> {
  const controller = new AbortController();
  if (parent?.aborted) controller.abort(parent.reason);
  const result = operation(controller.signal);
  if (!(result instanceof Promise)) return result;
  if (timeoutMs <= 0 && !parent) return result;
  return new Promise<T>((resolve, reject) => {
    const onParentAbort = () => controller.abort(parent?.reason);
    parent?.addEventListener('abort', onParentAbort, { once: true });
    const timer =
      timeoutMs > 0
        ? clock.setTimer(() => {
            const error = timeoutError();
            controller.abort(error);
            reject(error);
          }, timeoutMs)
        : undefined;
    const done = () => {
      if (timer !== undefined) clock.clearTimer(timer);
      parent?.removeEventListener('abort', onParentAbort);
    };
    result.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}
