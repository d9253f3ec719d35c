import { CircuitBreaker, ConfigError, shownValue, systemClock } from '../../core/index.ts';
import type { FailureTracker } from '../../core/index.ts';
import { storeEntry, storeRegistry } from '../../adapters/registry/stores.ts';
import type { TrackerConfig } from './config.ts';

/** Opens the configured tracker with short timeouts, so that a cut or slowed store fails calls instead of hanging them. */
export async function openTracker(config: TrackerConfig): Promise<FailureTracker> {
  const store = storeEntry(config.store);
  if (!store.openFailFastTracker) {
    const cuttable = storeRegistry.filter((entry) => entry.openFailFastTracker).map((entry) => entry.name);
    throw new ConfigError('tracker.store', `must be one of ${cuttable.join(', ')} (a store a drill can cut); got ${shownValue(config.store)}`);
  }
  return store.openFailFastTracker({ url: config.url, name: config.name, timeoutMs: config.timeoutMs ?? 2_000 });
}

export function trackerBreaker(config: TrackerConfig): CircuitBreaker | undefined {
  return config.breaker ? new CircuitBreaker({ name: `${config.store}-tracker`, ...config.breaker }, systemClock) : undefined;
}
