import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/index.ts';
import { dedupContract } from '../../core/testing/dedup-contract.ts';
import { createPostgresDedupStore } from './dedup-store.ts';
import { databaseUrl, dropTables, uniqueName } from './testing.ts';

dedupContract('postgres', async () => {
  const table = uniqueName('orchestron_dedup_test');
  const store = await createPostgresDedupStore({ url: databaseUrl, dedupTable: table, poolSize: 4 });
  return { store, cleanup: () => dropTables([table]) };
});

describe('PostgresDedupStore', () => {
  it('gives each key to exactly one of several instances remembering it at once', async () => {
    const table = uniqueName('orchestron_dedup_test');
    const options = { url: databaseUrl, dedupTable: table, poolSize: 4 };
    const stores = await Promise.all([1, 2, 3].map(() => createPostgresDedupStore(options)));
    try {
      const keys = Array.from({ length: 400 }, (_, i) => `k${i}`);
      const reversed = [...keys].reverse();
      const claimedBy = async (store: (typeof stores)[number], list: string[]) => {
        const answer = await store.remember(list, 60_000);
        return list.filter((_, i) => answer[i]);
      };
      const calls = stores.flatMap((store, i) => [claimedBy(store, i % 2 ? reversed : keys), claimedBy(store, keys)]);
      const claimed = (await Promise.all(calls)).flat();
      expect(claimed.sort()).toEqual([...keys].sort());
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await dropTables([table]);
    }
  });

  it('purges expired keys, on demand and lazily while remembering', async () => {
    const table = uniqueName('orchestron_dedup_test');
    const clock = new ManualClock();
    const store = await createPostgresDedupStore({ url: databaseUrl, dedupTable: table, clock, purgeIntervalMs: 10_000 });
    try {
      await store.remember(['a', 'b', 'c'], 1_000);
      await store.remember(['keep'], 60_000);
      await clock.advance(2_000);
      expect(await store.seen(['a', 'keep'])).toEqual([false, true]);
      expect(await store.purge()).toBe(3);
      expect(await store.purge()).toBe(0);
      await store.remember(['d'], 1_000);
      await clock.advance(10_000);
      await store.remember(['e'], 60_000); // past the interval: starts a purge in the background
      await store.close(); // waits for it
      const check = await createPostgresDedupStore({ url: databaseUrl, dedupTable: table, clock, purgeIntervalMs: 0 });
      expect(await check.purge()).toBe(0);
      expect(await check.seen(['d', 'e', 'keep'])).toEqual([false, true, true]);
      await check.close();
    } finally {
      await store.close();
      await dropTables([table]);
    }
  });
});
