import { CircuitBreaker, startSafeguard, track } from '../../core/index.ts';
import type { Batch, FailureTracker, Platform, TrackStage } from '../../core/index.ts';
import { createPostgresTracker } from '../../adapters/postgres/index.ts';
import type { OrchestratorSettings } from './settings.ts';

/** The failure tracker as the pipeline uses it: the two track stages, the breaker around them and the safeguard. */
export interface Tracking {
  /** Undefined with the NONE strategy: nothing is written, no database is needed. */
  readonly tracker: FailureTracker | undefined;
  readonly breaker: CircuitBreaker | undefined;
  /** Right after the source: RECEIVED rows (OUTBOX: one call per batch; RELIABLE: one per record). Undefined with NONE. */
  readonly received: undefined | (<T>(input: AsyncIterable<Batch<T>>) => AsyncIterable<Batch<T>>);
  /** After produce and dead-letter: SUCCESS and FAILED rows. Undefined with NONE. */
  readonly settled: undefined | (<T>(input: AsyncIterable<Batch<T>>) => AsyncIterable<Batch<T>>);
  close(): Promise<void>;
}

const breakerName = 'tracker';
const store = 'postgres';

/**
 * Opens the Postgres tracker for the strategy, guarded by a circuit breaker whose state is exported as
 * `orchestron_breaker_open{breaker="tracker"}` and `orchestron_degraded{store="postgres"}` (the seed's
 * `orch.db.circuit.open` and `orch.db.degraded`), and starts the TimeoutSafeguard when RECEIVED rows are written.
 */
export async function openTracking(settings: OrchestratorSettings, platform: Platform): Promise<Tracking> {
  const strategy = settings.dbStrategy;
  if (strategy === 'NONE') {
    return { tracker: undefined, breaker: undefined, received: undefined, settled: undefined, close: async () => {} };
  }
  const tracker = await createPostgresTracker({
    ...(settings.databaseUrl ? { url: settings.databaseUrl } : {}),
    trackerTable: settings.trackerTable,
    applicationName: settings.groupId.slice(0, 63),
    clock: platform.clock,
    logger: platform.logger,
  });
  const breaker = new CircuitBreaker(
    { name: breakerName, failureThreshold: settings.dbCircuitFailureThreshold, openMs: settings.dbCircuitOpenMs },
    platform.clock,
  );
  const { metrics, logger } = platform;
  metrics.breakerOpen.set({ breaker: breakerName }, 0);
  metrics.degraded.set({ store }, 0);
  breaker.onStateChange((state) => {
    metrics.breakerOpen.set({ breaker: breakerName }, state === 'open' ? 1 : 0);
    metrics.degraded.set({ store }, state === 'closed' ? 0 : 1);
    logger.warn({ breaker: breakerName, state }, 'tracker circuit breaker changed state');
  });
  const stage: TrackStage<unknown> = track(tracker, { strategy, capturePayload: settings.capturePayload, breaker });
  const stopSafeguard =
    strategy === 'OUTBOX' || strategy === 'RELIABLE'
      ? startSafeguard(tracker, {
          intervalMs: settings.safeguardIntervalMs,
          olderThanMs: settings.safeguardStaleMs,
          clock: platform.clock,
          logger,
        })
      : () => {};
  return {
    tracker,
    breaker,
    received: stage.received,
    settled: <T>(input: AsyncIterable<Batch<T>>) => stage(input as AsyncIterable<Batch<unknown>>) as AsyncIterable<Batch<T>>,
    close: async () => {
      stopSafeguard();
      await tracker.close();
    },
  };
}
