import { describe, expect, it } from 'vitest';
import { json } from './codecs/json.ts';
import { MemoryDedupStore } from './dedup/memory-store.ts';
import { ProcessingError, ValidationError } from './errors.ts';
import { memorySink } from './memory/sink.ts';
import { drain, pipeline } from './pipeline.ts';
import { commit } from './stages/commit.ts';
import { deadLetter } from './stages/dead-letter.ts';
import { decode } from './stages/decode.ts';
import { dedup } from './stages/dedup.ts';
import { produce } from './stages/produce.ts';
import { track } from './stages/track.ts';
import { transform } from './stages/transform.ts';
import { collect, harness, record, text } from './testing/fixtures.ts';
import { MemoryTracker } from './tracker/memory-tracker.ts';

interface Order {
  id: number;
  kind?: 'poison-transform' | 'flaky' | 'invalid';
}

const ids = (topic: string, broker: ReturnType<typeof harness>['broker']) =>
  broker.records(topic).map((r) => (JSON.parse(text(r.value) ?? 'null') as Order).id);

function orderPipeline(h: ReturnType<typeof harness>, failOnce: Set<number>) {
  const sink = memorySink(h.broker);
  const tracker = new MemoryTracker({ clock: h.clock });
  const tracking = track(tracker, { strategy: 'OUTBOX' });
  const enrich = transform(
    (order: Order) => {
      if (order.kind === 'poison-transform') throw new ValidationError(`order ${order.id} has no customer`);
      if (failOnce.delete(order.id)) throw new ProcessingError(`pricing service timeout for ${order.id}`);
      return { ...order, enriched: true };
    },
    { concurrency: 8, orderBy: 'key', timeoutMs: 1_000, retry: { attempts: 1 } },
  );
  const run = pipeline(
    h.source(['orders'], { batchSize: 50 }),
    tracking.received,
    decode(json<Order>()),
    dedup(new MemoryDedupStore({ clock: h.clock }), { ttlMs: 60_000 }),
    enrich,
    produce(sink, { topic: 'enriched-orders' }),
    deadLetter(sink),
    tracking,
    commit(),
  );
  return { run, tracker };
}

function seed(h: ReturnType<typeof harness>, count: number, poison: (id: number) => Order['kind'] | undefined) {
  h.broker.createTopic('orders', 3);
  h.broker.createTopic('enriched-orders', 3);
  h.broker.append(
    Array.from({ length: count }, (_, id) => {
      const kind = poison(id);
      return record('orders', `customer-${id % 17}`, kind === 'invalid' ? '{"id":' : { id, ...(kind ? { kind } : {}) });
    }),
  );
}

describe('pipeline', () => {
  it('atomic: aborted batches leave nothing behind and the output holds each input exactly once, in key order', async () => {
    const h = harness('atomic');
    seed(h, 1_000, () => undefined);
    const failOnce = new Set([3, 150, 151, 600, 999]);
    const { run, tracker } = orderPipeline(h, failOnce);
    const results = await h.clock.run(collect(run));
    expect(results.filter((r) => !r.committed).length).toBe(5);
    const out = ids('enriched-orders', h.broker);
    expect(out.length).toBe(1_000);
    expect(new Set(out).size).toBe(1_000);
    for (const partition of h.broker.records('enriched-orders').reduce((m, r) => {
      const key = text(r.key) ?? '';
      m.set(key, [...(m.get(key) ?? []), (JSON.parse(text(r.value) ?? '') as Order).id]);
      return m;
    }, new Map<string, number[]>()).values()) {
      expect(partition).toEqual([...partition].sort((a, b) => a - b));
    }
    expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 1_000, FAILED: 0 });
    expect(h.recorded.total('orchestron_records_ok_total')).toBe(1_000);
    expect(h.recorded.value('orchestron_batch_failed_total')).toBe(5);
  });

  it('atomic: records produced by a batch that then aborts never become visible', async () => {
    const h = harness('atomic');
    seed(h, 100, () => undefined);
    const sink = memorySink(h.broker);
    const tracker = new MemoryTracker({ clock: h.clock });
    let failures = 3;
    const succeeded = tracker.succeeded.bind(tracker);
    tracker.succeeded = async (entries) => {
      if (failures-- > 0) throw new ProcessingError('tracker hiccup after produce');
      return succeeded(entries);
    };
    const run = pipeline(
      h.source(['orders'], { batchSize: 20 }),
      decode(json<Order>()),
      produce(sink, { topic: 'enriched-orders' }),
      track(tracker, { strategy: 'OUTBOX' }),
      commit(),
    );
    const results = await h.clock.run(collect(run));
    expect(results.filter((r) => !r.committed).length).toBe(3);
    const out = ids('enriched-orders', h.broker);
    expect(out.length).toBe(100);
    expect(new Set(out).size).toBe(100);
  });

  it('atomic: poison records are dead-lettered inside the batch instead of blocking the partition', async () => {
    const h = harness('atomic');
    seed(h, 200, (id) => (id === 10 ? 'invalid' : id === 20 ? 'poison-transform' : undefined));
    const { run, tracker } = orderPipeline(h, new Set());
    await h.clock.run(drain(run));
    expect(ids('enriched-orders', h.broker).length).toBe(198);
    const dlq = h.broker.records('orders-dlq');
    expect(dlq.map((r) => text(r.headers.get('error_category')))).toEqual(['DESERIALIZATION_ERROR', 'VALIDATION_ERROR']);
    expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 198, FAILED: 2 });
  });

  it('atomic: a record failing on every delivery is dead-lettered after maxDeliveries', async () => {
    const h = harness('atomic', { maxDeliveries: 3 });
    h.broker.createTopic('orders', 1);
    h.broker.append([record('orders', 'k', { id: 1 }), record('orders', 'k', { id: 2 })]);
    const sink = memorySink(h.broker);
    let calls = 0;
    const run = pipeline(
      h.source(['orders']),
      decode(json<Order>()),
      transform(
        (order: Order) => {
          if (order.id === 1) {
            calls++;
            throw new ProcessingError('always down for order 1');
          }
          return order;
        },
        { retry: { attempts: 1 }, timeoutMs: 0 },
      ),
      produce(sink, { topic: 'out' }),
      deadLetter(sink),
      commit(),
    );
    const results = await h.clock.run(collect(run));
    expect(results.map((r) => r.committed)).toEqual([false, false, true]);
    expect(calls).toBe(3);
    expect(ids('out', h.broker)).toEqual([2]);
    expect(text(h.broker.records('orders-dlq')[0]?.headers.get('source_attempts'))).toBe('3');
  });

  it('skip-and-log: retries each record, dead-letters what still fails, and keeps offsets moving', async () => {
    const h = harness('skip-and-log');
    seed(h, 300, (id) => (id % 100 === 7 ? 'invalid' : id % 100 === 9 ? 'poison-transform' : undefined));
    const failOnce = new Set([5, 50]);
    const { run, tracker } = orderPipeline(h, failOnce);
    const results = await h.clock.run(collect(run));
    expect(results.every((r) => r.committed)).toBe(true);
    const out = ids('enriched-orders', h.broker);
    expect(out.length).toBe(292);
    expect(out).not.toContain(5);
    const dlqIds = h.broker.records('orders-dlq').map((r) => Number(text(r.headers.get('source_offset'))));
    expect(dlqIds.length).toBe(8);
    expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 292, FAILED: 8 });
    const committed = [0, 1, 2].reduce((sum, p) => sum + h.broker.committed('test-group', 'orders', p), 0n);
    expect(committed).toBe(300n);
  });

  it('is lazy: nothing is read until the pipeline is pulled', async () => {
    const h = harness();
    seed(h, 10, () => undefined);
    const { run } = orderPipeline(h, new Set());
    expect(h.broker.committed('test-group', 'orders', 0)).toBe(0n);
    await h.clock.run(drain(run));
    expect(ids('enriched-orders', h.broker).length).toBe(10);
  });
});
