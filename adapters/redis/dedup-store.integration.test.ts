import { describe, expect, it } from 'vitest';
import { dedupContract } from '../../core/testing/dedup-contract.ts';
import { RedisDedupStore, createRedisDedupStore } from './index.ts';
import { REDIS_URL, deletePrefix, freshPrefix } from './testing.ts';

dedupContract('redis', async () => {
  const keyPrefix = freshPrefix('dedup');
  const store = await createRedisDedupStore({ url: REDIS_URL, keyPrefix });
  return { store, cleanup: async () => void (await deletePrefix(keyPrefix)) };
});

describe('RedisDedupStore beyond the contract', () => {
  it('answers batches larger than one command, repeats across chunks included', async () => {
    const keyPrefix = freshPrefix('dedup-big');
    const store = await RedisDedupStore.connect({ url: REDIS_URL, keyPrefix });
    try {
      const keys = Array.from({ length: 25_000 }, (_, i) => `k-${i}`);
      expect(await store.remember([...keys, 'k-3'], 60_000)).toEqual([...keys.map(() => true), false]);
      expect((await store.seen([...keys, 'other'])).filter(Boolean)).toHaveLength(25_000);
    } finally {
      await store.close();
      await deletePrefix(keyPrefix);
    }
  });

  it('refuses a TTL that is not a positive number, naming ttlMs', async () => {
    const keyPrefix = freshPrefix('dedup-ttl');
    const store = await RedisDedupStore.connect({ url: REDIS_URL, keyPrefix });
    try {
      await expect(store.remember(['a'], 0)).rejects.toThrow('ttlMs: must be a positive number of milliseconds; got 0');
      await expect(store.remember(['a'], Number.NaN)).rejects.toMatchObject({ code: 'CONFIG_ERROR' });
    } finally {
      await store.close();
      await deletePrefix(keyPrefix);
    }
  });
});
