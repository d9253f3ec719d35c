import { text } from '../registry/config-fields.ts';
import { defineStore } from '../registry/store-entry.ts';
import { redisDefaults } from './options.ts';

/** The Redis store as the service configures it (`store: redis`); the client loads only when a store opens. */
export const redisStore = defineStore({
  name: 'redis',
  url: { schemes: ['redis', 'rediss'], variable: 'REDIS_URL', fallback: redisDefaults.url },
  settings: { entries: { keyPrefix: text(`Key prefix; default \`${redisDefaults.keyPrefix}\`.`) }, about: 'Redis store settings.' },
  openTracker: async ({ url, keyPrefix }, platform) => (await import('./tracker.ts')).createRedisTracker({ url, keyPrefix, ...platform }),
  openDedup: async ({ url, keyPrefix }, { logger }) => (await import('./dedup-store.ts')).createRedisDedupStore({ url, keyPrefix, logger }),
  openFailFastTracker: async ({ url, name, timeoutMs }) =>
    (await import('./tracker.ts')).createRedisTracker({
      url,
      keyPrefix: name,
      commandTimeoutMs: timeoutMs,
      connectTimeoutMs: timeoutMs,
      reconnectMaxDelayMs: 200,
    }),
});
