import { CircuitBreaker } from '../../core/index.ts';
import type { Clock, DedupStore, FailureTracker, Logger, Metrics } from '../../core/index.ts';
// Each entry loads its store's client library only when it opens one: a pipeline without them does not pay for them.
import { storeEntry } from '../../adapters/registry/stores.ts';
import type { Config } from '../config/schema.ts';
import { storeSettings, storeUrlOf } from '../config/store-url.ts';

/** The tracker and dedup store a config asks for, each behind its own circuit breaker. */
export interface Stores {
  readonly tracker?: FailureTracker;
  readonly dedup?: DedupStore;
  readonly breakers: readonly CircuitBreaker[];
  readonly trackerBreaker?: CircuitBreaker;
  readonly dedupBreaker?: CircuitBreaker;
  close(): Promise<void>;
}

/** Opens only what is used: a tracker unless the strategy is NONE, a dedup store when dedup is enabled. */
export async function openStores(config: Config, platform: { logger: Logger; clock: Clock; metrics: Metrics }): Promise<Stores> {
  const { logger, clock, metrics } = platform;
  // The store's ping is the breaker's probe: after an outage with no traffic it closes by itself (and readiness clears).
  const breaker = (name: string, store: { ping?: () => Promise<void> }) => {
    const probe = store.ping?.bind(store);
    const created = new CircuitBreaker({ name, ...config.breaker, ...(probe ? { probe } : {}) }, clock);
    created.onStateChange((state) => {
      metrics.breakerOpen.set({ breaker: name }, state === 'open' ? 1 : 0);
      metrics.degraded.set({ store: name }, state === 'closed' ? 0 : 1);
      logger.warn({ breaker: name, state }, `circuit breaker ${state}`);
    });
    metrics.breakerOpen.set({ breaker: name }, 0);
    metrics.degraded.set({ store: name }, 0);
    return created;
  };
  const storeUrl = await storeUrlOf(config);
  if (storeUrl) {
    const fields = { store: config.store, url: storeUrl.redacted };
    if (storeUrl.defaulted) logger.warn({ ...fields, set: `${storeUrl.field} or ${storeUrl.variable}` }, 'store URL not configured: using the built-in default');
    else logger.info(fields, 'store');
  }
  const store = storeEntry(config.store);
  const settings = storeSettings(config, store);
  const tracker = config.trackerStrategy === 'NONE' ? undefined : await store.openTracker(settings, { logger, clock });
  let dedup: DedupStore | undefined;
  try {
    dedup = config.dedup.enabled ? await store.openDedup(settings, { logger, clock }) : undefined;
  } catch (error) {
    await tracker?.close();
    throw error;
  }
  const trackerBreaker = tracker ? breaker(`${config.store}-tracker`, tracker) : undefined;
  const dedupBreaker = dedup ? breaker(`${config.store}-dedup`, dedup) : undefined;
  const breakers = [trackerBreaker, dedupBreaker].filter((b): b is CircuitBreaker => b !== undefined);
  return {
    ...(tracker ? { tracker } : {}),
    ...(dedup ? { dedup } : {}),
    ...(trackerBreaker ? { trackerBreaker } : {}),
    ...(dedupBreaker ? { dedupBreaker } : {}),
    breakers,
    async close() {
      for (const b of breakers) b.dispose();
      await Promise.allSettled([tracker?.close(), dedup?.close()]);
    },
  };
}
