import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker, StoreError, commit, pipeline, positionKey, systemClock, track } from '../../core/index.ts';
import type { Batch, OrchestronError } from '../../core/index.ts';
import { collect, harness, record } from '../../core/testing/fixtures.ts';
import { TcpProxy } from '../testing/tcp-proxy.ts';
import { RedisDedupStore, RedisTracker } from './index.ts';
import { REDIS_URL, deletePrefix, freshPrefix, redisTarget } from './testing.ts';

const entry = (i: number) => ({ dedupKey: `o-${i}`, topic: 'orders', partition: 0, offset: BigInt(i), attempts: 1 });
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fails the test on anything that escapes: unhandled rejections, and ioredis printing an 'error' event nobody handled. */
function watchForLeaks() {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const stderr = vi.spyOn(console, 'error');
  return {
    check() {
      process.off('unhandledRejection', onUnhandled);
      const printed = stderr.mock.calls.filter((args) => String(args[0]).includes('[ioredis]'));
      stderr.mockRestore();
      expect(unhandled).toEqual([]);
      expect(printed).toEqual([]);
    },
  };
}

describe('redis outage behind a TCP proxy', () => {
  let proxy: TcpProxy;
  let keyPrefix: string;
  beforeEach(async () => {
    proxy = await TcpProxy.start(redisTarget());
    keyPrefix = freshPrefix('outage');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await proxy.close();
    await deletePrefix(keyPrefix);
  });

  it('fails fast while cut, opens the breaker, and recovers once restored', async () => {
    const leaks = watchForLeaks();
    const tracker = await RedisTracker.connect(
      { url: proxy.url(REDIS_URL), keyPrefix, commandTimeoutMs: 1_000, reconnectMaxDelayMs: 100 },
    );
    const breaker = new CircuitBreaker({ name: 'redis-tracker', failureThreshold: 3, openMs: 300, callTimeoutMs: 2_000 }, systemClock);
    const states: string[] = [];
    breaker.onStateChange((state) => states.push(state));
    try {
      for (let i = 0; i < 5; i++) await breaker.call(() => tracker.received([entry(i)]));

      proxy.cut();
      const errors: OrchestronError[] = [];
      const started = performance.now();
      for (let i = 5; i < 15; i++) {
        await breaker.call(() => tracker.succeeded([entry(i)])).catch((error: OrchestronError) => errors.push(error));
      }
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(errors).toHaveLength(10);
      expect(errors.slice(0, 3).every((e) => e instanceof StoreError && e.retryable)).toBe(true);
      expect(errors.slice(3).every((e) => e.code === 'BREAKER_OPEN')).toBe(true);
      expect(breaker.state).toBe('open');
      await expect(tracker.ping()).rejects.toMatchObject({ code: 'STORE_ERROR', retryable: true });

      proxy.restore();
      const deadline = performance.now() + 10_000;
      for (;;) {
        try {
          await breaker.call(() => tracker.succeeded([entry(99)]));
          break;
        } catch {
          if (performance.now() > deadline) throw new Error('no recovery within 10 s');
          await wait(50);
        }
      }
      expect(breaker.state).toBe('closed');
      await tracker.ping();
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 5, SUCCESS: 1, FAILED: 0 });
      expect(states[0]).toBe('open');
      expect(states.at(-1)).toBe('closed');
    } finally {
      await tracker.close();
    }
    leaks.check();
  });

  it('dedup store: calls reject with a retryable StoreError while cut and work again after', async () => {
    const leaks = watchForLeaks();
    const store = await RedisDedupStore.connect({ url: proxy.url(REDIS_URL), keyPrefix, commandTimeoutMs: 1_000, reconnectMaxDelayMs: 100 });
    try {
      expect(await store.remember(['a'], 60_000)).toEqual([true]);
      proxy.cut();
      await expect(store.seen(['a'])).rejects.toMatchObject({ code: 'STORE_ERROR', retryable: true });
      await expect(store.remember(['b'], 60_000)).rejects.toBeInstanceOf(StoreError);
      proxy.restore();
      const deadline = performance.now() + 10_000;
      while (!(await store.ping().then(() => true, () => false))) {
        if (performance.now() > deadline) throw new Error('no recovery within 10 s');
        await wait(50);
      }
      expect(await store.seen(['a', 'b'])).toEqual([true, false]);
    } finally {
      await store.close();
    }
    leaks.check();
  });

  it('track (skip-and-log): every record is either written or counted as skipped', async () => {
    const leaks = watchForLeaks();
    const { broker, source, clock, recorded } = harness('skip-and-log');
    const records = 100;
    const batchSize = 10;
    const cutAfterBatches = 3;
    broker.createTopic('in', 1);
    broker.append(Array.from({ length: records }, (_, i) => record('in', `k${i}`, { i })));
    const tracker = await RedisTracker.connect(
      { url: proxy.url(REDIS_URL), keyPrefix, commandTimeoutMs: 1_000, reconnectMaxDelayMs: 100 },
      { clock },
    );
    // The manual clock never moves here, so once open the breaker stays open for the rest of the run.
    const breaker = new CircuitBreaker({ name: 'tracker', failureThreshold: 1, openMs: 60_000, callTimeoutMs: 0 }, clock);
    const tracking = track(tracker, { strategy: 'OUTBOX', breaker });
    let seenBatches = 0;
    // Cuts the connection between a batch's RECEIVED pre-insert and its SUCCESS update.
    const cutter = async function* (input: AsyncIterable<Batch<Uint8Array | null>>) {
      for await (const batch of input) {
        if (++seenBatches === cutAfterBatches + 1) proxy.cut();
        yield batch;
      }
    };
    try {
      const results = await collect(pipeline(source(['in'], { batchSize }), tracking.received, cutter, tracking, commit()));
      expect(results).toHaveLength(records / batchSize);
      expect(results.every((r) => r.committed)).toBe(true);
      expect(breaker.state).toBe('open');
    } finally {
      await tracker.close();
    }

    const skipped = {
      received: recorded.value('orchestron_tracker_skipped_total', { operation: 'received' }),
      succeeded: recorded.value('orchestron_tracker_skipped_total', { operation: 'succeeded' }),
    };
    const direct = await RedisTracker.connect({ url: REDIS_URL, keyPrefix }, { clock });
    try {
      const keys = broker.records('in').map((r) => positionKey(r.topic, r.partition, r.offset));
      expect(keys).toHaveLength(records);
      const rows = await direct.get(keys);
      const status = (s: string) => rows.filter((row) => row?.status === s).length;
      const missing = rows.filter((row) => row === undefined).length;
      // Written or skipped, for both writes of every record, and nothing counted twice.
      expect(status('SUCCESS') + skipped.succeeded).toBe(records);
      expect(records - missing + skipped.received).toBe(records);
      expect(status('SUCCESS')).toBe(cutAfterBatches * batchSize);
      expect(status('RECEIVED')).toBe(batchSize);
      expect(status('FAILED')).toBe(0);
    } finally {
      await direct.close();
    }
    leaks.check();
  });
});
