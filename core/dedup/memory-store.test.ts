import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.ts';
import { MemoryDedupStore } from './memory-store.ts';
import { dedupContract } from '../testing/dedup-contract.ts';

describe('MemoryDedupStore', () => {
  it('remembers keys until their TTL passes', async () => {
    const clock = new ManualClock();
    const store = new MemoryDedupStore({ clock });
    expect(await store.remember(['a', 'b'], 1_000)).toEqual([true, true]);
    expect(await store.remember(['a', 'c'], 1_000)).toEqual([false, true]);
    expect(await store.seen(['a', 'b', 'x'])).toEqual([true, true, false]);
    await clock.advance(1_000);
    expect(await store.seen(['a', 'b'])).toEqual([false, false]);
    expect(await store.remember(['a'], 1_000)).toEqual([true]);
  });

  it('evicts the least recently used key past its bound', async () => {
    const store = new MemoryDedupStore({ maxKeys: 2 });
    await store.remember(['a', 'b'], 60_000);
    await store.seen(['a']);
    await store.remember(['c'], 60_000);
    expect(await store.seen(['a', 'b', 'c'])).toEqual([true, false, true]);
    expect(store.size).toBe(2);
  });
});

dedupContract('memory', async () => ({ store: new MemoryDedupStore(), cleanup: async () => {} }));
