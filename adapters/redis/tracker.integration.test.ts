import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { trackerContract } from '../../core/testing/tracker-contract.ts';
import { ManualClock } from '../../core/index.ts';
import { RedisTracker, createRedisTracker } from './index.ts';
import { REDIS_URL, deletePrefix, freshPrefix } from './testing.ts';

trackerContract('redis', async (clock) => {
  const keyPrefix = freshPrefix('tracker');
  const tracker = await createRedisTracker({ url: REDIS_URL, keyPrefix, clock });
  return { tracker, cleanup: async () => void (await deletePrefix(keyPrefix)) };
});

describe('RedisTracker beyond the contract', () => {
  it('keeps the documented key layout', async () => {
    const keyPrefix = freshPrefix('layout');
    const clock = new ManualClock();
    const tracker = await RedisTracker.connect({ url: REDIS_URL, keyPrefix }, { clock });
    try {
      const entry = { dedupKey: 'k1', topic: 'orders', partition: 2, offset: 42n, attempts: 1 };
      await tracker.received([entry]);
      await tracker.failed([{ ...entry, category: 'VALIDATION_ERROR', errorMessage: 'bad' }]);
      const raw = new Redis(REDIS_URL);
      try {
        expect(await raw.hgetall(`${keyPrefix}:rec:k1`)).toEqual({
          dedupKey: 'k1',
          topic: 'orders',
          partition: '2',
          offset: '42',
          status: 'FAILED',
          attempts: '1',
          category: 'VALIDATION_ERROR',
          errorMessage: 'bad',
          createdAt: String(clock.now()),
          updatedAt: String(clock.now()),
        });
        expect(await raw.zrange(`${keyPrefix}:status:FAILED`, '0', '-1', 'WITHSCORES')).toEqual(['k1', String(clock.now())]);
        expect(await raw.zcard(`${keyPrefix}:status:RECEIVED`)).toBe(0);
        expect(await raw.zrange(`${keyPrefix}:failed:VALIDATION_ERROR`, '0', '-1')).toEqual(['k1']);
      } finally {
        raw.disconnect();
      }
    } finally {
      await tracker.close();
      await deletePrefix(keyPrefix);
    }
  });

  it('keeps the category indexes exact through repeats and recoveries', async () => {
    const keyPrefix = freshPrefix('indexes');
    const tracker = await RedisTracker.connect({ url: REDIS_URL, keyPrefix }, { clock: new ManualClock() });
    try {
      const entry = { dedupKey: 'k', topic: 't', partition: 0, offset: 1n, attempts: 1, payload: new Uint8Array([1]) };
      await tracker.failed([
        { ...entry, category: 'PROCESSING_ERROR', errorMessage: 'first' },
        { ...entry, attempts: 2, payload: new Uint8Array([2]), category: 'VALIDATION_ERROR', errorMessage: 'second' },
      ]);
      expect(await tracker.failures({ category: 'PROCESSING_ERROR' })).toEqual([]);
      const [row] = await tracker.failures({ category: 'VALIDATION_ERROR' });
      expect(row).toMatchObject({ attempts: 2, errorMessage: 'second', payload: new Uint8Array([2]) });
      await tracker.succeeded([{ ...entry, attempts: 1 }]);
      expect(await tracker.failures()).toEqual([]);
      expect(await tracker.failures({ category: 'VALIDATION_ERROR' })).toEqual([]);
      expect((await tracker.get(['k']))[0]).toMatchObject({ status: 'SUCCESS', attempts: 2, category: null, errorMessage: null });
      await expect(
        tracker.failed([{ ...entry, category: 'NOT_A_CATEGORY' as 'PROCESSING_ERROR', errorMessage: 'x' }]),
      ).rejects.toMatchObject({ code: 'STORE_ERROR', retryable: false });
    } finally {
      await tracker.close();
      await deletePrefix(keyPrefix);
    }
  });

  it('expires records and their index entries when recordTtlMs is set', async () => {
    const keyPrefix = freshPrefix('ttl');
    const clock = new ManualClock(Date.now());
    const tracker = await RedisTracker.connect({ url: REDIS_URL, keyPrefix, recordTtlMs: 400 }, { clock });
    try {
      await tracker.succeeded([{ dedupKey: 'short', topic: 't', partition: 0, offset: 1n, attempts: 1 }]);
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 1, FAILED: 0 });
      await new Promise((resolve) => setTimeout(resolve, 900));
      await clock.advance(900);
      expect(await tracker.get(['short'])).toEqual([undefined]);
      await tracker.received([{ dedupKey: 'later', topic: 't', partition: 0, offset: 2n, attempts: 1 }]);
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 1, SUCCESS: 0, FAILED: 0 });
    } finally {
      await tracker.close();
      await deletePrefix(keyPrefix);
    }
  });

  it('sweeps in chunks and still counts every row once', async () => {
    const keyPrefix = freshPrefix('chunks');
    const clock = new ManualClock();
    const tracker = await RedisTracker.connect({ url: REDIS_URL, keyPrefix, sweepChunkSize: 7 }, { clock });
    try {
      const entries = Array.from({ length: 100 }, (_, i) => ({ dedupKey: `s-${i}`, topic: 't', partition: 0, offset: BigInt(i), attempts: 1 }));
      await tracker.received(entries);
      await clock.advance(10_000);
      const swept = await Promise.all([tracker.sweep(5_000), tracker.sweep(5_000), tracker.sweep(5_000), tracker.sweep(5_000)]);
      expect(swept.reduce((a, b) => a + b, 0)).toBe(100);
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 0, FAILED: 100 });
      expect(await tracker.failures({ category: 'TIMEOUT_ERROR', limit: 1000 })).toHaveLength(100);
    } finally {
      await tracker.close();
      await deletePrefix(keyPrefix);
    }
  });

  it('writes a batch larger than one script call', async () => {
    const keyPrefix = freshPrefix('big');
    const tracker = await RedisTracker.connect({ url: REDIS_URL, keyPrefix }, { clock: new ManualClock() });
    try {
      const entries = Array.from({ length: 4_500 }, (_, i) => ({ dedupKey: `b-${i}`, topic: 't', partition: 0, offset: BigInt(i), attempts: 1 }));
      await tracker.received(entries);
      await tracker.succeeded(entries.slice(0, 3_000));
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 1_500, SUCCESS: 3_000, FAILED: 0 });
    } finally {
      await tracker.close();
      await deletePrefix(keyPrefix);
    }
  });
});
