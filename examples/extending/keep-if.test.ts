import { describe, expect, it } from 'vitest';
import type { BatchResult, BatchStage, FailureMode } from '../../core/index.ts';
import { DeadLetterHeaders, ManualClock, MemoryBroker, MemoryMetrics, MetricDefinitions, createMetrics, decodeText, encodeText } from '../../core/index.ts';
import { ProcessingError, SKIP, ValidationError, json, memorySink, memorySource, pipelineContext } from '../../core/index.ts';
import { commit, deadLetter, decode, pipeline, produce, transform } from '../../core/index.ts';
import type { KeepIf } from './keep-if.ts';
import { keepIf } from './keep-if.ts';

interface Order {
  readonly id: number;
  readonly amount?: number;
  /** Fails on its first delivery with a retryable error, then passes. */
  readonly flaky?: boolean;
}

// 30 orders: every third one is small (filtered out), order 7 has no amount (can never pass), order 11 is flaky.
const orders: Order[] = Array.from({ length: 30 }, (_, id) => ({
  id,
  ...(id === 7 ? {} : { amount: id % 3 === 0 ? 5 : 50 }),
  ...(id === 11 ? { flaky: true } : {}),
}));
const small = orders.filter((o) => o.amount === 5).map((o) => o.id);

const bigOrder: KeepIf<Order> = (order, record) => {
  if (order.amount === undefined) throw new ValidationError(`order ${order.id} has no amount`);
  if (order.flaky && record.attempts === 1) throw new ProcessingError(`the rates service timed out for order ${order.id}`);
  return order.amount >= 10;
};

/** The same filter with the built-in transform stage (one attempt, no retries), to compare against. */
const builtIn = (predicate: KeepIf<Order>): BatchStage<Order, Order> =>
  transform((order: Order, record) => (predicate(order, record) ? order : SKIP), { retry: { attempts: 1 } });

async function run(failureMode: FailureMode, stage: BatchStage<Order, Order>) {
  const clock = new ManualClock();
  const metrics = new MemoryMetrics();
  const context = pipelineContext({ failureMode, platform: { clock, metrics: createMetrics(metrics) } });
  const broker = new MemoryBroker({ defaultPartitions: 1, now: () => clock.now() });
  broker.append(orders.map((order) => ({ topic: 'orders', key: encodeText(String(order.id)), value: encodeText(JSON.stringify(order)) })));
  const sink = memorySink(broker);
  const source = memorySource(broker, { topics: ['orders'], group: 'big-orders', context, stopWhenIdle: true, batchSize: 10 });
  const stages = pipeline(source, decode(json<Order>()), stage, produce(sink, { topic: 'big-orders' }), deadLetter(sink), commit());
  const results = await clock.run(
    (async () => {
      const all: BatchResult[] = [];
      for await (const result of stages) all.push(result);
      return all;
    })(),
  );
  const idOf = (value: Uint8Array | null) => (JSON.parse(decodeText(value as Uint8Array)) as Order).id;
  const header = (headers: ReadonlyMap<string, Uint8Array> | undefined, name: string) => decodeText(headers?.get(name) as Uint8Array);
  return {
    batches: results.map((r) => ({ committed: r.committed, ok: r.ok, dropped: r.dropped, error: r.error?.code })),
    output: broker.records('big-orders').map((r) => idOf(r.value)),
    deadLetters: broker.records('orders-dlq').map((r) => ({
      id: idOf(r.value),
      category: header(r.headers, DeadLetterHeaders.category),
      attempts: header(r.headers, DeadLetterHeaders.sourceAttempts),
    })),
    filtered: metrics.value(MetricDefinitions.recordsFiltered.name, { topic: 'orders' }),
    failed: metrics.total(MetricDefinitions.recordsFailed.name),
  };
}

describe('a filter of your own (keepIf)', () => {
  it('drops the records it turns down as filtered: offsets commit, the filtered metric counts them', async () => {
    const outcome = await run('skip-and-log', keepIf<Order>((order) => (order.amount ?? 0) >= 10 || order.id === 7));
    expect(outcome.output).toEqual(orders.filter((o) => !small.includes(o.id)).map((o) => o.id));
    expect(outcome.batches.every((b) => b.committed)).toBe(true);
    expect(outcome.batches.reduce((n, b) => n + b.dropped.filtered, 0)).toBe(small.length);
    expect(outcome.filtered).toBe(small.length);
    expect(outcome.deadLetters).toEqual([]);
  });

  it('atomic: a retryable failure fails the batch, which comes again; a record that can never pass is dead-lettered in its batch', async () => {
    const outcome = await run('atomic', keepIf(bigOrder));
    expect(outcome.batches.filter((b) => !b.committed)).toEqual([
      { committed: false, ok: 0, dropped: { deduplicated: 0, failed: 0, 'dead-lettered': 0, filtered: 0 }, error: 'PROCESSING_ERROR' },
    ]);
    expect(outcome.output).toEqual(orders.filter((o) => o.amount === 50).map((o) => o.id));
    expect(outcome.deadLetters).toEqual([{ id: 7, category: 'VALIDATION_ERROR', attempts: '1' }]);
    expect(outcome.failed).toBe(1);
  });

  it('skip-and-log: every failing record is dead-lettered and the batches commit', async () => {
    const outcome = await run('skip-and-log', keepIf(bigOrder));
    expect(outcome.batches.every((b) => b.committed)).toBe(true);
    expect(outcome.output).toEqual(orders.filter((o) => o.amount === 50 && !o.flaky).map((o) => o.id));
    expect(outcome.deadLetters).toEqual([
      { id: 7, category: 'VALIDATION_ERROR', attempts: '1' },
      { id: 11, category: 'PROCESSING_ERROR', attempts: '1' },
    ]);
    expect(outcome.failed).toBe(2);
  });

  for (const failureMode of ['atomic', 'skip-and-log'] as const) {
    it(`${failureMode}: batches, output, dead letters and metrics are those of the built-in transform returning SKIP`, async () => {
      expect(await run(failureMode, keepIf(bigOrder))).toEqual(await run(failureMode, builtIn(bigOrder)));
    });
  }
});
