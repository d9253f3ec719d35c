import type { Logger } from '../logger.ts';
import type { Clock } from '../platform.ts';
import type { FailureTracker } from './tracker.ts';

export interface SafeguardOptions {
  /** How often to sweep. */
  readonly intervalMs: number;
  /** RECEIVED rows older than this become FAILED with TIMEOUT_ERROR. */
  readonly olderThanMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The seeds' TimeoutSafeguard: sweeps the tracker on an interval. Safe to run on every instance at once, since each
 * tracker's sweep is a single conditional update. Returns a stop function.
 */
export function startSafeguard(tracker: FailureTracker, options: SafeguardOptions): () => void {
  let stopped = false;
  let timer: unknown;
  const tick = async () => {
    try {
      const swept = await tracker.sweep(options.olderThanMs);
      if (swept > 0) options.logger.warn({ swept, olderThanMs: options.olderThanMs }, 'safeguard marked stale RECEIVED rows FAILED');
    } catch (error) {
      options.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'safeguard sweep failed');
    }
    if (!stopped) timer = options.clock.setTimer(tick, options.intervalMs);
  };
  timer = options.clock.setTimer(tick, options.intervalMs);
  return () => {
    stopped = true;
    options.clock.clearTimer(timer);
  };
}
