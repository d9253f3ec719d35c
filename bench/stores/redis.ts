// Store benchmarks against the Redis at REDIS_URL (default redis://127.0.0.1:6379), in a key prefix of their own
// that `close` deletes. Each row handles 500 records per call, like one pipeline batch.
import { randomUUID } from 'node:crypto';
import { RedisDedupStore, RedisTracker } from '../../adapters/redis/index.ts';
import { deletePrefix } from '../../adapters/redis/testing.ts';
import type { Suite } from '../suites.ts';
import { dedupKeys, storeBatch as batch, trackEntries } from './workload.ts';


export async function redisSuites(): Promise<{ suites: Suite[]; close(): Promise<void> }> {
  const keyPrefix = `obench-${randomUUID().slice(0, 8)}`;
  const store = await RedisDedupStore.connect({ keyPrefix });
  const tracker = await RedisTracker.connect({ keyPrefix });
  let round = 0;

  const suites: Suite[] = [
    {
      name: 'redis dedup (seen + remember, batch 500)',
      records: batch,
      run: async () => {
        const keys = dedupKeys(round++);
        await store.seen(keys);
        await store.remember(keys, 600_000);
      },
    },
    {
      name: 'redis outbox (received + success, batch 500)',
      records: batch,
      run: async () => {
        const entries = trackEntries(round++);
        await tracker.received(entries);
        await tracker.succeeded(entries);
      },
    },
  ];

  return {
    suites,
    close: async () => {
      await Promise.all([store.close(), tracker.close()]);
      await deletePrefix(keyPrefix, store.options.url);
    },
  };
}
