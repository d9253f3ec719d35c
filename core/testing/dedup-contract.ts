import { describe, expect, it } from 'vitest';
import type { DedupStore } from '../dedup/store.ts';

/** A fresh store in its own namespace (table, collection, key prefix). */
export type DedupFactory = () => Promise<{ store: DedupStore; cleanup: () => Promise<void> }>;

const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function using(factory: DedupFactory, body: (store: DedupStore) => Promise<void>) {
  const { store, cleanup } = await factory();
  try {
    await body(store);
  } finally {
    await store.close();
    await cleanup();
  }
}

/** The assertions every DedupStore must pass: memory, Redis, Postgres, MongoDB. Expiry is checked in real time. */
export function dedupContract(name: string, factory: DedupFactory): void {
  describe(`DedupStore contract: ${name}`, () => {
    it('remembers keys and reports them seen, one call per batch', async () => {
      await using(factory, async (store) => {
        const keys = Array.from({ length: 500 }, (_, i) => `order-${i}`);
        expect(await store.seen(keys)).toEqual(keys.map(() => false));
        expect(await store.remember(keys, 60_000)).toEqual(keys.map(() => true));
        expect(await store.seen([...keys.slice(0, 3), 'other'])).toEqual([true, true, true, false]);
        expect(await store.remember(['order-1', 'fresh'], 60_000)).toEqual([false, true]);
      });
    });

    it('answers repeats within one call: the first is new, the rest are not', async () => {
      await using(factory, async (store) => {
        expect(await store.remember(['a', 'a', 'b'], 60_000)).toEqual([true, false, true]);
        expect(await store.seen([])).toEqual([]);
        expect(await store.remember([], 60_000)).toEqual([]);
      });
    });

    it('forgets keys after their TTL', async () => {
      await using(factory, async (store) => {
        await store.remember(['short'], 300);
        await store.remember(['long'], 60_000);
        expect(await store.seen(['short', 'long'])).toEqual([true, true]);
        await realDelay(1_200);
        expect(await store.seen(['short', 'long'])).toEqual([false, true]);
        expect(await store.remember(['short'], 60_000)).toEqual([true]);
      });
    });

    it('treats awkward keys as plain data', async () => {
      await using(factory, async (store) => {
        const keys = [`'; DROP TABLE x; --`, '{"$ne":null}', '*', 'ключ ☃', 'x'.repeat(1_000)];
        expect(await store.remember(keys, 60_000)).toEqual(keys.map(() => true));
        expect(await store.seen(keys)).toEqual(keys.map(() => true));
        expect(await store.seen(['other'])).toEqual([false]);
      });
    });
  });
}
