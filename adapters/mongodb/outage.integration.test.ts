import { inspect } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../core/batch.ts';
import { CircuitBreaker } from '../../core/breaker.ts';
import { positionKey } from '../../core/envelope.ts';
import { BreakerOpenError, ConfigError, StoreError } from '../../core/errors.ts';
import { pipeline } from '../../core/pipeline.ts';
import { systemClock } from '../../core/platform.ts';
import { commit } from '../../core/stages/commit.ts';
import { track } from '../../core/stages/track.ts';
import { collect, harness, record } from '../../core/testing/fixtures.ts';
import type { TrackEntry } from '../../core/tracker/tracker.ts';
import { TcpProxy } from '../testing/tcp-proxy.ts';
import { createMongoDedupStore } from './dedup-store.ts';
import { createMongoTracker } from './tracker.ts';
import type { MongoTracker } from './tracker.ts';
import { closeAdmin, closedPort, dropCollection, freshCollection, mongo, mongoAddress } from './test-support.ts';

const secret = 'p@ss:w/rd-never-shown';
const fastFail = { serverSelectionTimeoutMs: 400, connectTimeoutMs: 400, socketTimeoutMs: 2_000 };

const entries = (prefix: string, count: number): TrackEntry[] =>
  Array.from({ length: count }, (_, i) => ({ dedupKey: `${prefix}-${i}`, topic: 't', partition: 0, offset: BigInt(i), attempts: 1 }));

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
const collections: string[] = [];
let proxy: TcpProxy | undefined;

beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  await proxy?.close();
  proxy = undefined;
  await Promise.all(collections.splice(0).map(dropCollection));
});
afterAll(closeAdmin);

/** The server's URL through a fresh proxy; directConnection keeps the driver from looking for the server's own address. */
async function proxied(): Promise<string> {
  proxy = await TcpProxy.start(mongoAddress());
  const url = new URL(proxy.url(mongo.url));
  url.searchParams.set('directConnection', 'true');
  return url.toString();
}

function collection(prefix: string): string {
  const name = freshCollection(prefix);
  collections.push(name);
  return name;
}

async function untilReachable(store: { ping(): Promise<void> }, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await store.ping();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await delay(100);
    }
  }
}

describe('MongoDB stores when the server is down or goes away', () => {
  it('fails fast at start with a StoreError naming the URL, password redacted', async () => {
    const port = await closedPort();
    const url = `mongodb://orchestron:${encodeURIComponent(secret)}@127.0.0.1:${port}/orchestron`;
    for (const create of [() => createMongoTracker({ url }), () => createMongoDedupStore({ url })]) {
      const started = performance.now();
      const error = await create().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).retryable).toBe(true);
      expect((error as StoreError).message).toContain(`cannot reach MongoDB at mongodb://orchestron:***@127.0.0.1:${port}/orchestron`);
      const everything = inspect(error, { depth: null, showHidden: true });
      expect(everything).not.toContain(encodeURIComponent(secret));
      expect(everything).not.toContain(secret);
    }
  });

  it('tracker calls through the breaker: a cut opens it without crashing, restore closes it again', async () => {
    const tracker = await createMongoTracker({ url: await proxied(), collection: collection('outage_tracker'), ...fastFail });
    const breaker = new CircuitBreaker({ name: 'mongo-tracker', failureThreshold: 3, openMs: 300, callTimeoutMs: 3_000 }, systemClock);
    try {
      await breaker.call(() => tracker.received(entries('a', 20)));
      proxy?.cut();

      const outcomes: unknown[] = [];
      for (let i = 0; i < 5; i++) outcomes.push(await breaker.call(() => tracker.succeeded(entries('a', 20))).catch((e: unknown) => e));
      for (const failure of outcomes.slice(0, 3)) {
        expect(failure).toBeInstanceOf(StoreError);
        expect((failure as StoreError).retryable).toBe(true);
        expect((failure as StoreError).cause).toBeDefined();
      }
      expect(outcomes.slice(3).every((e) => e instanceof BreakerOpenError)).toBe(true);
      expect(breaker.state).toBe('open');
      await expect(tracker.ping()).rejects.toBeInstanceOf(StoreError);
      await expect(tracker.get(['a-1'])).rejects.toBeInstanceOf(StoreError);

      proxy?.restore();
      await untilReachable(tracker);
      await delay(breaker.retryAfterMs() + 20);
      await breaker.call(() => tracker.succeeded(entries('a', 20)));
      expect(breaker.state).toBe('closed');
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 20, FAILED: 0 });
      expect(unhandled).toEqual([]);
    } finally {
      await tracker.close();
    }
  });

  it('dedup calls through the breaker: a cut opens it, restore recovers', async () => {
    const store = await createMongoDedupStore({ url: await proxied(), collection: collection('outage_dedup'), ...fastFail });
    const breaker = new CircuitBreaker({ name: 'mongo-dedup', failureThreshold: 2, openMs: 300, callTimeoutMs: 3_000 }, systemClock);
    try {
      expect(await breaker.call(() => store.remember(['k1', 'k2'], 60_000))).toEqual([true, true]);
      proxy?.cut();
      const outcomes = [];
      for (let i = 0; i < 3; i++) outcomes.push(await breaker.call(() => store.seen(['k1'])).catch((e: unknown) => e));
      expect(outcomes[0]).toBeInstanceOf(StoreError);
      expect(outcomes[1]).toBeInstanceOf(StoreError);
      expect(outcomes[2]).toBeInstanceOf(BreakerOpenError);

      proxy?.restore();
      await untilReachable(store);
      await delay(breaker.retryAfterMs() + 20);
      expect(await breaker.call(() => store.seen(['k1', 'k3']))).toEqual([true, false]);
      expect(breaker.state).toBe('closed');
      expect(unhandled).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('track in skip-and-log: every record is either written or counted as skipped while the tracker is cut off', async () => {
    const { broker, source, clock, recorded } = harness('skip-and-log');
    const records = 60;
    const batchSize = 5;
    broker.createTopic('in', 1);
    broker.append(Array.from({ length: records }, (_, i) => record('in', `k${i}`, { n: i })));
    const name = collection('outage_track');
    const tracker = await createMongoTracker({ url: await proxied(), collection: name, ...fastFail });
    const observer = await createMongoTracker({ url: mongo.url, collection: name });
    const openMs = 1_000;
    const breaker = new CircuitBreaker({ name: 'tracker', failureThreshold: 1, openMs, callTimeoutMs: 0 }, clock);
    const tracking = track(tracker, { strategy: 'OUTBOX', breaker });
    let batches = 0;
    // Between the pre-insert and the final update: batch 3 loses the store, batch 7 finds it again.
    const outage = async function* <T>(input: AsyncIterable<Batch<T>>): AsyncIterable<Batch<T>> {
      for await (const batch of input) {
        batches++;
        if (batches === 3) proxy?.cut();
        if (batches === 7) {
          proxy?.restore();
          await untilReachable(tracker);
          await clock.advance(openMs);
        }
        yield batch;
      }
    };
    try {
      const results = await collect(pipeline(source(['in'], { batchSize }), tracking.received, outage, tracking, commit()));
      expect(results).toHaveLength(records / batchSize);
      expect(results.every((r) => r.committed)).toBe(true);
      expect(breaker.state).toBe('closed');

      const rows = await observer.get(Array.from({ length: records }, (_, i) => positionKey('in', 0, BigInt(i))));
      const settled = rows.filter((row) => row?.status === 'SUCCESS').length;
      const present = rows.filter((row) => row !== undefined).length;
      const skipped = (operation: string) => recorded.value('orchestron_tracker_skipped_total', { operation });
      expect(skipped('succeeded')).toBeGreaterThan(0);
      expect(settled).toBeGreaterThan(0);
      // A write cut off in flight may have landed and still count as skipped: at least every record is accounted for.
      expect(settled + skipped('succeeded')).toBeGreaterThanOrEqual(records);
      // A skipped pre-insert can still end with a row: the final update upserts it once the store is back.
      expect(present + skipped('received')).toBeGreaterThanOrEqual(records);
      expect(rows.every((row, i) => row?.status === 'SUCCESS' || Math.floor(i / batchSize) + 1 >= 3)).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      await tracker.close();
      await observer.close();
    }
  });

  it('refuses malformed input: offsets outside int64 before sending, oversized documents as non-retryable StoreErrors', async () => {
    const tracker: MongoTracker = await createMongoTracker({ url: mongo.url, collection: collection('input_tracker') });
    const [entry] = entries('big', 1) as [TrackEntry];
    await expect(tracker.received([{ ...entry, offset: 2n ** 64n }])).rejects.toBeInstanceOf(ConfigError);
    await expect(tracker.received([{ ...entry, offset: -(2n ** 63n) - 1n }])).rejects.toBeInstanceOf(ConfigError);
    await tracker.received([{ ...entry, offset: 2n ** 63n - 1n }]);
    expect((await tracker.get([entry.dedupKey]))[0]?.offset).toBe(2n ** 63n - 1n);

    const error = await tracker.received([{ ...entry, dedupKey: 'huge', payload: new Uint8Array(17 * 1024 * 1024) }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).retryable).toBe(false);
    await tracker.close();
    await tracker.close();
    await expect(tracker.get(['x'])).rejects.toMatchObject({ code: 'STORE_ERROR', retryable: false });
  });
});

describe('MongoDB expiry without a TTL monitor', () => {
  it('reports how expired documents leave, and purgeExpired removes them', async () => {
    const { clock } = harness();
    const store = await createMongoDedupStore({ url: mongo.url, collection: collection('purge_dedup'), clock });
    const tracker = await createMongoTracker({ url: mongo.url, collection: collection('purge_tracker'), clock, retentionMs: 60_000 });
    try {
      expect(['ttl-index', 'manual']).toContain(store.expiry);
      expect(['ttl-index', 'manual']).toContain(tracker.retention);
      await store.remember(['a', 'b'], 1_000);
      await tracker.received(entries('r', 3));
      await clock.advance(61_000);
      await store.purgeExpired();
      await tracker.purgeExpired();
      expect(await store.remember(['a'], 1_000)).toEqual([true]);
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 0, FAILED: 0 });
    } finally {
      await store.close();
      await tracker.close();
    }
  });
});
