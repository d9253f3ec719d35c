import { afterEach, describe, expect, it } from 'vitest';
import { ProcessingError, systemClock } from '../../core/index.ts';
import type { TrackerStrategy, TransformFn } from '../../core/index.ts';
import { connectPostgres, createPostgresTracker } from '../../adapters/postgres/index.ts';
import { audit, freshTopics, produceRecords, readCommittedWithKcat, readTopic, unique } from '../../adapters/kafka/testing.ts';
import { databaseUrl, dropTables, uniqueName } from '../../adapters/postgres/testing.ts';
import { TcpProxy } from '../../adapters/testing/tcp-proxy.ts';
import { createLogger } from '../../service/logging.ts';
import { startOrdersOrchestrator } from './orchestrator.ts';
import type { OrdersOrchestrator } from './orchestrator.ts';
import { enrichOrder } from './orders.ts';
import type { EnrichedOrder, Order } from './orders.ts';
import type { OrchestratorOptions } from './settings.ts';
import { resolveOrchestratorSettings } from './settings.ts';
import { asRecords, eventually, sample, sampleOrder } from './test-support.ts';

const running: OrdersOrchestrator[] = [];
const tables: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((orchestrator) => orchestrator.stop()));
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
  await dropTables(tables.splice(0));
});

/** Fresh topics, group and tracker table; quick retries and a fast safeguard, so a test takes seconds. */
async function start(options: OrchestratorOptions, transformer?: TransformFn<Order, unknown>) {
  const topics = await freshTopics('orders-orch', 3, ['in', 'out', 'dlq']);
  const table = uniqueName('orders_orch');
  tables.push(table);
  const settings = resolveOrchestratorSettings(
    {
      sourceTopic: topics.in,
      targetTopic: topics.out,
      dlqTopic: topics.dlq,
      groupId: unique('orders-orch'),
      instanceId: unique('orders-orch'),
      trackerTable: table,
      batchSize: 100,
      commitIntervalMs: 50,
      retryDelayMs: 10,
      safeguardIntervalMs: 300,
      safeguardStaleMs: 60_000,
      httpPort: 0,
      ...options,
    },
    process.env,
  );
  const orchestrator = await startOrdersOrchestrator(settings, { logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), ...(transformer ? { transformer } : {}) });
  running.push(orchestrator);
  const metrics = async () => (await fetch(`${orchestrator.url}/metrics`)).text();
  return { orchestrator, topics, table, metrics };
}

const header = (headers: Map<string, Buffer>, name: string) => headers.get(name)?.toString();

const poison = [
  { key: 'poison-json', value: '{"id": 1000, "lines": [' },
  { key: 'poison-schema', value: { id: 'one thousand and one', customerId: 'c', currency: 'EUR', lines: [] } },
  { key: 'poison-rule', value: sampleOrder(1002, 0) },
];

describe('orders-orchestrator example on Kafka and Postgres', () => {
  it('atomic + OUTBOX: output exactly once after an aborted batch, poison dead-lettered and FAILED, seed counters, safeguard', async () => {
    const flakyId = 57;
    let failedOnce = false;
    const flaky: TransformFn<Order, unknown> = (order, record, signal) => {
      if (order.id === flakyId && !failedOnce) {
        failedOnce = true;
        throw new ProcessingError(`pricing service unavailable for order ${order.id}`);
      }
      return enrichOrder(order, record, signal);
    };
    const { orchestrator, topics, table, metrics } = await start({ failureMode: 'ATOMIC', dbStrategy: 'OUTBOX', maxAttempts: 1 }, flaky);

    // A RECEIVED row last touched an hour ago: a record whose processing never finished.
    const anHourAgo = { ...systemClock, now: () => Date.now() - 3_600_000 };
    const past = await createPostgresTracker({ trackerTable: table, clock: anHourAgo });
    await past.received([{ dedupKey: 'stale-1', topic: topics.in!, partition: 0, offset: 999n, attempts: 1 }]);
    await past.close();

    await produceRecords(topics.in!, poison);
    await eventually('the poison to be dead-lettered', () => (orchestrator.stats().deadLettered === 3 ? true : undefined));
    const orders = Array.from({ length: 300 }, (_, id) => sampleOrder(id));
    await produceRecords(topics.in!, asRecords(orders));
    await eventually('300 orders committed', () => (orchestrator.stats().recordsOk === 300 ? true : undefined));

    const output = await readCommittedWithKcat(topics.out!, 300);
    expect(audit(output, 300)).toEqual({ records: 300, distinct: 300, duplicates: 0, missing: [] });
    const enriched = JSON.parse(output.find((m) => JSON.parse(m.value.toString()).id === flakyId)!.value.toString()) as EnrichedOrder;
    expect(enriched.total).toBeCloseTo(enriched.subtotal + enriched.tax, 2);

    const dlq = await readTopic(topics.dlq!, 3);
    expect(dlq.map((m) => `${m.key.toString()} ${header(m.headers, 'error_category')}`).sort()).toEqual([
      'poison-json DESERIALIZATION_ERROR',
      'poison-rule VALIDATION_ERROR',
      'poison-schema VALIDATION_ERROR',
    ]);
    expect(dlq.every((m) => header(m.headers, 'source_topic') === topics.in)).toBe(true);

    const tracker = orchestrator.tracker!;
    const counts = await eventually('the safeguard to sweep the stale row', async () => {
      const now = await tracker.countByStatus();
      return now.RECEIVED === 0 ? now : undefined;
    });
    expect(counts).toEqual({ RECEIVED: 0, SUCCESS: 300, FAILED: 4 });
    const [stale] = await tracker.get(['stale-1']);
    expect(stale).toMatchObject({ status: 'FAILED', category: 'TIMEOUT_ERROR' });
    expect(stale?.errorMessage).toMatch(/safeguard/);
    const failed = await tracker.failures();
    expect(failed.map((row) => row.category).sort()).toEqual(['DESERIALIZATION_ERROR', 'TIMEOUT_ERROR', 'VALIDATION_ERROR', 'VALIDATION_ERROR']);

    const stats = orchestrator.stats();
    expect(stats.batchesAborted).toBeGreaterThanOrEqual(1);
    const text = await metrics();
    const input = { topic: topics.in! };
    expect(sample(text, 'orchestron_records_ok_total', input)).toBe(300);
    expect(sample(text, 'orchestron_batch_ok_total')).toBe(stats.batchesCommitted);
    expect(sample(text, 'orchestron_batch_failed_total')).toBe(stats.batchesAborted);
    expect(sample(text, 'orchestron_transform_fail_total', { category: 'PROCESSING_ERROR' })).toBe(1);
    expect(sample(text, 'orchestron_transform_fail_total', { category: 'VALIDATION_ERROR' })).toBe(1);
    expect(sample(text, 'orchestron_records_dead_lettered_total', { ...input, category: 'DESERIALIZATION_ERROR' })).toBe(1);
    expect(sample(text, 'orchestron_records_dead_lettered_total', { ...input, category: 'VALIDATION_ERROR' })).toBe(2);
    expect(sample(text, 'orchestron_breaker_open', { breaker: 'tracker' })).toBe(0);
    expect(sample(text, 'orchestron_degraded', { store: 'postgres' })).toBe(0);
  });

  it('skip-and-log + RELIABLE: keeps moving through a Postgres outage, the breaker skips and counts tracker writes, retries then dead-letters', async () => {
    const server = new URL(databaseUrl);
    const proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    cleanups.push(() => proxy.close());
    const openMs = 1_000;
    const failingId = 9_999;
    const failing: TransformFn<Order, unknown> = (order, record, signal) => {
      if (order.id === failingId) throw new ProcessingError(`pricing service keeps failing for order ${order.id}`);
      return enrichOrder(order, record, signal);
    };
    const { orchestrator, topics, metrics } = await start(
      {
        failureMode: 'skip-and-log',
        dbStrategy: 'RELIABLE',
        databaseUrl: proxy.url(databaseUrl),
        dbCircuitFailureThreshold: 2,
        dbCircuitOpenMs: openMs,
      },
      failing,
    );
    const ready = async () => (await fetch(`${orchestrator.url}/health/ready`)).status;

    await produceRecords(topics.in!, asRecords(Array.from({ length: 100 }, (_, id) => sampleOrder(id))));
    await eventually('the first 100 orders', () => (orchestrator.stats().recordsOk === 100 ? true : undefined));
    expect(await ready()).toBe(200);

    proxy.cut();
    await produceRecords(topics.in!, asRecords(Array.from({ length: 100 }, (_, i) => sampleOrder(100 + i))));
    await eventually('100 more orders while Postgres is cut off', () => (orchestrator.stats().recordsOk === 200 ? true : undefined));
    const during = await metrics();
    expect(sample(during, 'orchestron_breaker_open', { breaker: 'tracker' })).toBe(1);
    expect(sample(during, 'orchestron_degraded', { store: 'postgres' })).toBe(1);
    expect(await ready()).toBe(503);

    proxy.restore();
    await new Promise((resolve) => setTimeout(resolve, openMs + 300));
    const last = [...Array.from({ length: 20 }, (_, i) => sampleOrder(200 + i)), sampleOrder(failingId)];
    await produceRecords(topics.in!, asRecords(last));
    await eventually('the last orders and the dead letter', () => {
      const stats = orchestrator.stats();
      return stats.recordsOk === 220 && stats.deadLettered === 1 ? true : undefined;
    });
    const after = await eventually('the breaker to close', async () => {
      const text = await metrics();
      return sample(text, 'orchestron_breaker_open', { breaker: 'tracker' }) === 0 ? text : undefined;
    });
    expect(sample(after, 'orchestron_degraded', { store: 'postgres' })).toBe(0);
    expect(await ready()).toBe(200);

    const output = await readCommittedWithKcat(topics.out!, 220);
    const summary = audit(output, 220);
    expect(summary.distinct).toBe(220);
    expect(summary.missing).toEqual([]);
    const [dead] = await readTopic(topics.dlq!, 1);
    expect(header(dead!.headers, 'error_category')).toBe('PROCESSING_ERROR');
    expect(JSON.parse(dead!.value.toString())).toMatchObject({ id: failingId });

    // Every write of the 100 records processed during the outage was skipped and counted; the rest went through.
    expect(sample(after, 'orchestron_tracker_skipped_total', { operation: 'received' })).toBe(100);
    expect(sample(after, 'orchestron_tracker_skipped_total', { operation: 'succeeded' })).toBe(100);
    expect(sample(after, 'orchestron_transform_fail_total', { category: 'PROCESSING_ERROR' })).toBe(3);
    expect(sample(after, 'orchestron_transform_retries_total')).toBe(2);
    expect(sample(after, 'orchestron_records_dead_lettered_total', { topic: topics.in!, category: 'PROCESSING_ERROR' })).toBe(1);
    expect(sample(after, 'orchestron_records_ok_total', { topic: topics.in! })).toBe(220);
    expect(await orchestrator.tracker!.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 120, FAILED: 1 });
    const [failedRow] = await orchestrator.tracker!.failures();
    expect(failedRow).toMatchObject({ status: 'FAILED', category: 'PROCESSING_ERROR' });
  });

  it.each<[TrackerStrategy, { RECEIVED: number; SUCCESS: number; FAILED: number } | undefined]>([
    ['LIGHTWEIGHT', { RECEIVED: 0, SUCCESS: 0, FAILED: 1 }],
    ['NONE', undefined],
  ])('atomic + %s: the tracker writes only what the strategy says', async (dbStrategy, expected) => {
    const { orchestrator, topics, table, metrics } = await start({ dbStrategy });
    await produceRecords(topics.in!, asRecords([...Array.from({ length: 20 }, (_, id) => sampleOrder(id)), sampleOrder(20, 0)]));
    await eventually('20 orders and a dead letter', () => {
      const stats = orchestrator.stats();
      return stats.recordsOk === 20 && stats.deadLettered === 1 ? true : undefined;
    });
    expect(audit(await readCommittedWithKcat(topics.out!, 20), 20)).toEqual({ records: 20, distinct: 20, duplicates: 0, missing: [] });
    if (expected) {
      expect(await orchestrator.tracker!.countByStatus()).toEqual(expected);
    } else {
      expect(orchestrator.tracker).toBeUndefined();
      const sql = await connectPostgres();
      try {
        const [row] = await sql`select to_regclass(${table}) as found`;
        expect(row?.found).toBeNull();
      } finally {
        await sql.end({ timeout: 5 });
      }
      expect(sample(await metrics(), 'orchestron_breaker_open', { breaker: 'tracker' })).toBeUndefined();
    }
    expect(sample(await metrics(), 'orchestron_records_ok_total', { topic: topics.in! })).toBe(20);
  });
});
