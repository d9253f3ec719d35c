import { CircuitBreaker, MemoryDedupStore, MemoryTracker } from '../../core/index.ts';
import type { Clock, DedupStore, FailureTracker, Logger, Metrics } from '../../core/index.ts';

// Store adapters load only when configured, so a pipeline without them does not pay for three client libraries.
const postgres = () => import('../../adapters/postgres/index.ts');
const redis = () => import('../../adapters/redis/index.ts');
const mongodb = () => import('../../adapters/mongodb/index.ts');
import type { Config } from '../config/schema.ts';
import { storeUrlOf } from '../config/store-url.ts';

/** The tracker and dedup store a config asks for, each behind its own circuit breaker. */
export interface Stores {
  readonly tracker?: FailureTracker;
  readonly dedup?: DedupStore;
  readonly breakers: readonly CircuitBreaker[];
  readonly trackerBreaker?: CircuitBreaker;
  readonly dedupBreaker?: CircuitBreaker;
  close(): Promise<void>;
}

const postgresOptions = (config: Config, logger: Logger, clock: Clock) => {
  const { url, schema, trackerTable, dedupTable, poolSize } = config.postgres;
  return { url, schema, trackerTable, dedupTable, poolSize, logger, clock };
};

const defined = <T extends object>(options: T): T =>
  Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;

async function openTracker(config: Config, logger: Logger, clock: Clock): Promise<FailureTracker> {
  switch (config.store) {
    case 'memory':
      return new MemoryTracker({ clock });
    case 'postgres':
      return (await postgres()).createPostgresTracker(defined(postgresOptions(config, logger, clock)));
    case 'redis':
      return (await redis()).RedisTracker.connect(defined({ url: config.redis.url, keyPrefix: config.redis.keyPrefix }), { logger, clock });
    case 'mongodb':
      return (await mongodb()).createMongoTracker(defined({ url: config.mongodb.url, database: config.mongodb.database, clock }));
  }
}

async function openDedup(config: Config, logger: Logger, clock: Clock): Promise<DedupStore> {
  switch (config.store) {
    case 'memory':
      return new MemoryDedupStore({ clock });
    case 'postgres':
      return (await postgres()).createPostgresDedupStore(defined(postgresOptions(config, logger, clock)));
    case 'redis':
      return (await redis()).RedisDedupStore.connect(defined({ url: config.redis.url, keyPrefix: config.redis.keyPrefix }), { logger });
    case 'mongodb':
      return (await mongodb()).createMongoDedupStore(defined({ url: config.mongodb.url, database: config.mongodb.database, clock }));
  }
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
  const tracker = config.trackerStrategy === 'NONE' ? undefined : await openTracker(config, logger, clock);
  let dedup: DedupStore | undefined;
  try {
    dedup = config.dedup.enabled ? await openDedup(config, logger, clock) : undefined;
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
