// Scenario 6: a store outage. The worker's tracker (Postgres, Redis or MongoDB) is reached through Toxiproxy, which
// cuts or slows it for a while mid-stream. Input keeps arriving before, during and after the outage. Exactly-once
// with a breaker: batches abort and the source backs off (backpressure), no offset is ever committed past
// unprocessed work, and afterwards every record has exactly one final status. At-least-once with a breaker: the
// pipeline keeps moving, every skipped tracker write is counted, and tracking resumes once the store is back.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { positionKey } from '../core/index.ts';
import type { FailureMode, FailureTracker } from '../core/index.ts';
import { audit, brokers, freshTopics, unique } from '../adapters/kafka/testing.ts';
import { closeAdmin, dropCollection, mongo } from '../adapters/mongodb/test-support.ts';
import { databaseUrl, dropTables, uniqueName } from '../adapters/postgres/testing.ts';
import { REDIS_URL, deletePrefix } from '../adapters/redis/testing.ts';
import { committedButUnprocessed, groupProgress } from './group-progress.ts';
import { events, produce } from './input.ts';
import { awaitOutput, idsByPosition, kcatRead, parsedIds } from './read.ts';
import { profile, scaled } from './profile.ts';
import { report } from './report.ts';
import type { Proxy } from './toxiproxy.ts';
import { Toxiproxy } from './toxiproxy.ts';
import type { StoreKind } from './worker/config.ts';
import { openTracker } from './worker/tracker.ts';
import { spawnWorker } from './worker/spawn.ts';

const broker = brokers.join(',');
const partitions = 6;
const outageMs = scaled({ short: 8_000, full: 30_000 });
const recoveryDeadlineMs = scaled({ short: 60_000, full: 180_000 });

interface StoreCase {
  readonly store: StoreKind;
  readonly fault: string;
  readonly directUrl: string;
  readonly upstream: string;
  readonly proxiedUrl: (proxy: Proxy) => string;
  readonly inject: (proxy: Proxy) => Promise<void>;
  readonly restore: (proxy: Proxy) => Promise<void>;
  readonly cleanup: (name: string) => Promise<unknown>;
  readonly count: number;
  readonly batchSize: number;
  /** Deadline of one store call (the worker's store timeouts) and of one breaker call. */
  readonly timeoutMs: number;
}

const hostPort = (url: string, port: number) => `${new URL(url).hostname}:${new URL(url).port || port}`;

const cases: Record<StoreKind, StoreCase> = {
  postgres: {
    store: 'postgres',
    fault: 'cut (proxy disabled)',
    directUrl: databaseUrl,
    upstream: hostPort(databaseUrl, 5432),
    proxiedUrl: (proxy) => proxy.url(databaseUrl),
    inject: (proxy) => proxy.disable(),
    restore: (proxy) => proxy.enable(),
    cleanup: (name) => dropTables([name]),
    count: scaled({ short: 5_000, full: 40_000 }),
    batchSize: 200,
    timeoutMs: 2_000,
  },
  redis: {
    store: 'redis',
    fault: 'slowed (3 s latency)',
    directUrl: REDIS_URL,
    upstream: hostPort(REDIS_URL, 6379),
    proxiedUrl: (proxy) => proxy.url(REDIS_URL),
    inject: async (proxy) => void (await proxy.addToxic({ name: 'slow', type: 'latency', attributes: { latency: 3_000 } })),
    restore: (proxy) => proxy.removeToxic('slow'),
    cleanup: (name) => deletePrefix(name),
    count: scaled({ short: 5_000, full: 40_000 }),
    batchSize: 200,
    timeoutMs: 2_000,
  },
  // FerretDB's SQLite backend updates by _id in time growing with the collection (docs/reliability.md): small volume.
  mongodb: {
    store: 'mongodb',
    fault: 'connections reset (reset_peer)',
    directUrl: mongo.url,
    upstream: hostPort(mongo.url, 27017),
    proxiedUrl: (proxy) => {
      const url = new URL(proxy.url(mongo.url));
      url.searchParams.set('directConnection', 'true');
      return url.toString();
    },
    inject: async (proxy) => void (await proxy.addToxic({ name: 'reset', type: 'reset_peer', attributes: { timeout: 0 } })),
    restore: (proxy) => proxy.removeToxic('reset'),
    cleanup: (name) => dropCollection(name),
    count: scaled({ short: 1_000, full: 2_000 }),
    batchSize: 50,
    timeoutMs: 3_000,
  },
};

let toxiproxy: Toxiproxy;
const cleanups: (() => Promise<unknown>)[] = [];
beforeAll(() => {
  toxiproxy = new Toxiproxy(inject('toxiproxyUrl'));
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup().catch(() => {});
  await closeAdmin();
});

async function outage(storeCase: StoreCase, failureMode: FailureMode) {
  const { count, store } = storeCase;
  // 30 % before the outage, 40 % during it (a chunk every 2 s), the rest once the store is back.
  const before = Math.floor(count * 0.3);
  const after = Math.floor(count * 0.7);
  const duringChunk = Math.ceil((after - before) / Math.max(1, Math.floor(outageMs / 2_000)));
  let produced = before;
  const proxy = await toxiproxy.createProxy({ name: unique(`store-${store}`), upstream: storeCase.upstream });
  const name = store === 'redis' ? `chaos:${unique('outage')}` : uniqueName('chaos_outage');
  cleanups.push(() => proxy.delete(), () => storeCase.cleanup(name));
  const topics = await freshTopics(`outage-${store}`, partitions, undefined, broker);
  const input = events(count);
  await produce(broker, topics.in as string, input.slice(0, before));
  let positions = await idsByPosition(broker, topics.in as string);
  const group = unique('outage');
  const worker = spawnWorker({
    brokers: [broker],
    group,
    input: topics.in as string,
    output: topics.out as string,
    failureMode,
    instanceId: unique('o'),
    batchSize: storeCase.batchSize,
    delayMs: 5,
    concurrency: 8,
    tracker: {
      store,
      url: storeCase.proxiedUrl(proxy),
      name,
      strategy: 'OUTBOX',
      breaker: { failureThreshold: 2, openMs: 1_000, callTimeoutMs: storeCase.timeoutMs + 1_000 },
      timeoutMs: storeCase.timeoutMs,
    },
  });
  const observer: FailureTracker = await openTracker({ store, url: storeCase.directUrl, name, strategy: 'OUTBOX' });
  cleanups.push(() => observer.close());

  /** Offsets committed past records that are not in the output — or, exactly-once, that have no SUCCESS row. */
  const violations = async (): Promise<number[]> => {
    const progress = await groupProgress(broker, group, topics.in as string, partitions);
    const processed = new Set(parsedIds(await kcatRead(broker, topics.out as string)));
    const missing = committedButUnprocessed(progress, positions, processed);
    if (failureMode !== 'atomic') return missing;
    const below = progress.flatMap(({ partition, committed }) => Array.from({ length: Math.max(0, Number(committed)) }, (_, offset) => ({ partition, offset })));
    const rows = await observer.get(below.map(({ partition, offset }) => positionKey(topics.in as string, partition, BigInt(offset))));
    const untracked = below.filter((_, i) => rows[i]?.status !== 'SUCCESS');
    return [...missing, ...untracked.map(({ partition, offset }) => positions.get(`${partition}:${offset}`) ?? -1)];
  };
  const committedRecords = async () =>
    (await groupProgress(broker, group, topics.in as string, partitions)).reduce((sum, p) => sum + Math.max(0, Number(p.committed)), 0);

  await worker.until((e) => (e.total ?? 0) >= before * 0.5, 120_000);
  await storeCase.inject(proxy);
  const injectedAt = Date.now();
  const found: number[] = [];
  let committedEarly: number | undefined;
  while (Date.now() - injectedAt < outageMs) {
    await sleep(2_000);
    committedEarly ??= await committedRecords();
    const next = Math.min(after, produced + duringChunk);
    await produce(broker, topics.in as string, input.slice(produced, next));
    produced = next;
    positions = await idsByPosition(broker, topics.in as string);
    found.push(...(await violations()));
  }
  const committedDuringOutage = (await committedRecords()) - (committedEarly ?? 0);
  await storeCase.restore(proxy);
  const restoredAt = Date.now();
  // The breaker lets a trial call through once its open time (1 s) has passed; the rest of the input comes after.
  await sleep(1_500);
  await produce(broker, topics.in as string, input.slice(produced));
  positions = await idsByPosition(broker, topics.in as string);
  const recovered = await worker.until((e) => (e.total ?? 0) >= count, recoveryDeadlineMs).then(
    () => true,
    () => false,
  );
  const firstAfter = worker.events.find((e) => e.committed === true && e.at > restoredAt);
  found.push(...(await violations()));
  const exit = await worker.stop();
  const output = await awaitOutput(broker, topics.out as string, count, { group, input: topics.in as string, partitions, timeoutMs: 30_000 });
  const statuses = await observer.countByStatus();
  const afterRestore = [...positions].filter(([, id]) => id >= produced).map(([position]) => {
    const [partition, offset] = position.split(':').map(Number) as [number, number];
    return positionKey(topics.in as string, partition, BigInt(offset));
  });
  const trackedAfter = (await observer.get(afterRestore)).filter((row) => row?.status === 'SUCCESS').length;
  const skipped = worker.events.find((e) => e.trackerSkipped)?.trackerSkipped;
  const result = audit(output, count);
  report(`store-outage ${store} ${failureMode}`, {
    records: count,
    faults: `${storeCase.fault} for ${outageMs / 1000} s`,
    lost: result.missing.length,
    duplicated: result.duplicates,
    recoveryMs: firstAfter ? firstAfter.at - restoredAt : -1,
    recovered,
    committedDuringOutage,
    breakerOpened: worker.events.filter((e) => e.breaker === 'open').length,
    statuses,
    skipped,
  });
  return { result, exit, statuses, skipped, found, committedDuringOutage, recovered, trackedAfter, restoredWith: count - produced, opened: worker.events.some((e) => e.breaker === 'open') };
}

// Short (in `npm test`): the four cases side by side, to stay within about a minute; full: one after another.
const outageSuite = profile === 'short' ? describe.concurrent : describe;

outageSuite(`store outage through Toxiproxy, ${outageMs / 1000} s mid-stream`, () => {
  for (const store of ['postgres', 'redis', 'mongodb'] as const) {
    const { count, fault } = cases[store];
    it(`${store} ${fault}, exactly-once: backpressure, no commit past unprocessed work, one final status per record`, async ({ expect }) => {
      const { result, exit, statuses, found, opened, committedDuringOutage, recovered } = await outage(cases[store], 'atomic');
      expect(opened).toBe(true);
      expect(committedDuringOutage).toBe(0);
      expect(found).toEqual([]);
      expect(recovered).toBe(true);
      expect(exit.code).toBe(0);
      expect({ ...result, missing: result.missing.slice(0, 20) }).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
      expect(statuses).toEqual({ RECEIVED: 0, SUCCESS: count, FAILED: 0 });
    });
  }

  it(`postgres ${cases.postgres.fault}, at-least-once: keeps moving, loses nothing, counts every skipped write, tracks again after`, async ({ expect }) => {
    const { count } = cases.postgres;
    const { result, exit, statuses, skipped, found, committedDuringOutage, opened, recovered, trackedAfter, restoredWith } = await outage(cases.postgres, 'skip-and-log');
    expect(opened).toBe(true);
    expect(found).toEqual([]);
    expect(committedDuringOutage).toBeGreaterThan(0);
    expect(recovered).toBe(true);
    expect(exit.code).toBe(0);
    expect(result.missing.slice(0, 20)).toEqual([]);
    expect(skipped?.succeeded ?? 0).toBeGreaterThan(0);
    expect(statuses.SUCCESS + (skipped?.succeeded ?? 0)).toBeGreaterThanOrEqual(count);
    expect(statuses.FAILED).toBe(0);
    expect(trackedAfter).toBe(restoredWith);
  });
});
