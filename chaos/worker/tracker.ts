import { CircuitBreaker, systemClock } from '../../core/index.ts';
import type { FailureTracker } from '../../core/index.ts';
import { createMongoTracker } from '../../adapters/mongodb/index.ts';
import { createPostgresTracker } from '../../adapters/postgres/index.ts';
import { RedisTracker } from '../../adapters/redis/index.ts';
import type { TrackerConfig } from './config.ts';

/** Opens the configured tracker with short timeouts, so that a cut or slowed store fails calls instead of hanging them. */
export async function openTracker(config: TrackerConfig): Promise<FailureTracker> {
  const timeoutMs = config.timeoutMs ?? 2_000;
  switch (config.store) {
    case 'postgres':
      return createPostgresTracker({
        url: config.url,
        trackerTable: config.name,
        poolSize: 4,
        connectTimeoutMs: timeoutMs,
        statementTimeoutMs: timeoutMs,
      });
    case 'redis':
      return RedisTracker.connect({
        url: config.url,
        keyPrefix: config.name,
        commandTimeoutMs: timeoutMs,
        connectTimeoutMs: timeoutMs,
        reconnectMaxDelayMs: 200,
      });
    case 'mongodb':
      return createMongoTracker({
        url: config.url,
        collection: config.name,
        serverSelectionTimeoutMs: timeoutMs,
        connectTimeoutMs: timeoutMs,
        socketTimeoutMs: timeoutMs,
      });
  }
}

export function trackerBreaker(config: TrackerConfig): CircuitBreaker | undefined {
  return config.breaker ? new CircuitBreaker({ name: `${config.store}-tracker`, ...config.breaker }, systemClock) : undefined;
}
