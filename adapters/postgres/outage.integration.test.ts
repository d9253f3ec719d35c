import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BreakerOpenError,
  CircuitBreaker,
  MemoryBroker,
  MemoryMetrics,
  StoreError,
  TimeoutError,
  commit,
  createMetrics,
  memorySource,
  pipeline,
  pipelineContext,
  positionKey,
  sleep,
  systemClock,
  track,
} from '../../core/index.ts';
import type { Batch, TrackEntry } from '../../core/index.ts';
import { collect, record } from '../../core/testing/fixtures.ts';
import { TcpProxy } from '../testing/tcp-proxy.ts';
import type { PostgresTracker } from './tracker.ts';
import { createPostgresTracker } from './tracker.ts';
import { databaseUrl, dropTables, uniqueName } from './testing.ts';

const server = new URL(databaseUrl);
const openMs = 300;

let proxy: TcpProxy;
let tracker: PostgresTracker;
let table: string;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeEach(async () => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
  proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
  table = uniqueName('orchestron_records_test');
  tracker = await createPostgresTracker({ url: proxy.url(databaseUrl), trackerTable: table, poolSize: 3, connectTimeoutMs: 1_000 });
});

afterEach(async () => {
  await tracker.close();
  await proxy.close();
  await dropTables([table]);
  process.off('unhandledRejection', onUnhandled);
});

let next = 0;
const batch = (count = 50): TrackEntry[] =>
  Array.from({ length: count }, () => ({ dedupKey: `r${next}`, topic: 'orders', partition: 0, offset: BigInt(next++), attempts: 1 }));

describe('the Postgres tracker through an outage', () => {
  it('fails calls with StoreError while the server is cut off, opens the breaker, and closes it once the server is back', async () => {
    const breaker = new CircuitBreaker({ name: 'tracker', failureThreshold: 3, openMs, callTimeoutMs: 2_000 }, systemClock);
    const states: string[] = [];
    breaker.onStateChange((state) => states.push(state));
    await breaker.call(() => tracker.received(batch()));

    proxy.cut();
    const outcomes: unknown[] = [];
    for (let i = 0; i < 6; i++) outcomes.push(await breaker.call(() => tracker.received(batch())).catch((error: unknown) => error));
    for (const error of outcomes.slice(0, 3)) {
      expect(error instanceof StoreError || error instanceof TimeoutError).toBe(true);
      if (error instanceof StoreError) expect(error.retryable).toBe(true);
    }
    for (const error of outcomes.slice(3)) expect(error).toBeInstanceOf(BreakerOpenError);
    expect(breaker.state).toBe('open');
    await expect(tracker.ping()).rejects.toBeInstanceOf(StoreError);

    await proxy.restore();
    await sleep(systemClock, openMs + 50);
    expect(breaker.state).toBe('half-open');
    await breaker.call(() => tracker.received(batch()));
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
    await tracker.ping();
    expect(unhandled).toEqual([]);
  });

  it('recovers once a server that refused connections is back, with every pool connection failed meanwhile', async () => {
    await tracker.received(batch());
    proxy.cut({ refuse: true });
    // More failing calls than the pool has connections, several at once: each refused dial must give its slot back.
    for (let round = 0; round < 4; round++) {
      const outcomes = await Promise.allSettled([0, 1, 2, 3, 4].map(() => tracker.received(batch(5))));
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StoreError);
      }
    }
    await proxy.restore();
    const deadline = Date.now() + 5_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      recovered = await Promise.race([
        tracker.received(batch(5)).then(() => true, () => false),
        sleep(systemClock, 2_000).then(() => false),
      ]);
      if (!recovered) await sleep(systemClock, 100);
    }
    expect(recovered).toBe(true);
    await Promise.all([0, 1, 2, 3, 4].map(() => tracker.received(batch(5))));
    expect(unhandled).toEqual([]);
  });

  it('keeps a skip-and-log pipeline moving: each record is written or counted as skipped', async () => {
    const total = 300;
    const batchSize = 10;
    const recorded = new MemoryMetrics();
    const context = pipelineContext({
      failureMode: 'skip-and-log',
      platform: { clock: systemClock, metrics: createMetrics(recorded) },
      consumerGroup: 'outage-test',
    });
    const broker = new MemoryBroker({ defaultPartitions: 1 });
    broker.createTopic('in', 1);
    broker.append(Array.from({ length: total }, (_, i) => record('in', `k${i}`, { i })));
    const breaker = new CircuitBreaker({ name: 'tracker', failureThreshold: 2, openMs, callTimeoutMs: 2_000 }, systemClock);
    const tracking = track(tracker, { strategy: 'OUTBOX', breaker });

    let seen = 0;
    const chaos = async function* <T>(input: AsyncIterable<Batch<T>>): AsyncIterable<Batch<T>> {
      for await (const item of input) {
        seen++;
        if (seen === 6) proxy.cut();
        if (seen === 16) {
          proxy.restore();
          await sleep(systemClock, openMs + 50);
          // One trial closes the breaker before the batches behind it write: at-least-once they write without waiting,
          // and a half-open breaker lets one call through at a time (the others are skipped and counted).
          await breaker.call(() => tracker.get([positionKey('in', 0, 0n)]));
        }
        yield item;
      }
    };
    const source = memorySource(broker, { topics: ['in'], group: 'outage-test', context, batchSize, stopWhenIdle: true });
    const results = await collect(pipeline(source, tracking.received, chaos, tracking, commit()));

    expect(results).toHaveLength(total / batchSize);
    expect(results.every((result) => result.committed)).toBe(true);
    const keys = Array.from({ length: total }, (_, i) => positionKey('in', 0, BigInt(i)));
    const rows = await tracker.get(keys);
    const skipped = (operation: string) => recorded.value('orchestron_tracker_skipped_total', { operation });
    const notSucceeded = rows.filter((row) => row?.status !== 'SUCCESS').length;
    const missing = rows.filter((row) => row === undefined).length;

    expect(skipped('succeeded')).toBeGreaterThan(0); // the outage did happen
    expect(notSucceeded).toBeGreaterThan(0);
    expect(notSucceeded).toBeLessThanOrEqual(skipped('succeeded'));
    expect(missing).toBeLessThanOrEqual(skipped('received'));
    expect(rows.slice(-batchSize).every((row) => row?.status === 'SUCCESS')).toBe(true); // and it recovered
    expect(breaker.state).toBe('closed');
    expect(unhandled).toEqual([]);
  });
});
