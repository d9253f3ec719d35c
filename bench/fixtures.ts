import {
  Batch,
  BatchControl,
  MemoryBroker,
  createMetrics,
  encodeText,
  envelope,
  pipelineContext,
} from '../core/index.ts';
import type { Envelope, FailureMode, MetricsFactory, PipelineContext } from '../core/index.ts';

/** An order of about 1 KB, like the soak's records. */
export function orderJson(i: number): string {
  const lines = Array.from({ length: 8 }, (_, l) => ({ sku: `sku-${(i * 7 + l) % 2_000}`, quantity: 1 + (l % 4), unitPrice: 9.99 + l }));
  return JSON.stringify({
    orderId: `ord-${i}`,
    customerId: `cust-${i % 500}`,
    currency: 'EUR',
    createdAt: '2026-11-01T00:00:00.000Z',
    note: 'x'.repeat(420),
    lines,
  });
}

export const batchSize = 500;

export function context(failureMode: FailureMode = 'skip-and-log', metrics?: MetricsFactory): PipelineContext {
  return pipelineContext({ failureMode, ...(metrics ? { platform: { metrics: createMetrics(metrics) } } : {}) });
}

/** Raw envelopes of one batch, built once and reused by every iteration. */
export function rawRecords(count = batchSize, offset = 0): Envelope[] {
  return Array.from({ length: count }, (_, i) =>
    envelope(
      {
        topic: 'orders',
        partition: i % 6,
        offset: BigInt(offset + i),
        key: encodeText(`cust-${(offset + i) % 500}`),
        value: encodeText(orderJson(offset + i)),
        timestamp: 0,
      },
      0,
    ),
  );
}

const noSettlement = { commit: async () => {}, abort: async () => {} };

let ids = 0;
export function batchOf<T>(records: readonly Envelope<T>[], ctx: PipelineContext): Batch<T> {
  return new Batch(new BatchControl({ id: ids++, positions: [], context: ctx, settlement: noSettlement }), records);
}

export async function* once<T>(item: T): AsyncGenerator<T> {
  yield item;
}

export async function last<T>(iterable: AsyncIterable<T>): Promise<T | undefined> {
  let value: T | undefined;
  for await (const item of iterable) value = item;
  return value;
}

/** The chaos suite's poison input (scenario 5): 1 % of the orders are invalid JSON, 1 % make the transform throw. */
export const poison = {
  isInvalid: (i: number) => i % 100 === 17,
  isThrowing: (i: number) => i % 100 === 59,
};

/** An order's bytes: as `orderJson`, or, in a poisoned input, cut short (invalid JSON) or marked to fail. */
function orderValue(i: number, poisoned: boolean): string {
  if (poisoned && poison.isInvalid(i)) return orderJson(i).slice(0, -1);
  if (poisoned && poison.isThrowing(i)) return `${orderJson(i).slice(0, -1)},"fail":true}`;
  return orderJson(i);
}

export function seededBroker(records: number, poisoned = false): MemoryBroker {
  const broker = new MemoryBroker({ defaultPartitions: 6 });
  broker.createTopic('orders', 6);
  broker.append(
    Array.from({ length: records }, (_, i) => ({
      topic: 'orders',
      key: encodeText(`cust-${i % 500}`),
      value: encodeText(orderValue(i, poisoned)),
    })),
  );
  return broker;
}
