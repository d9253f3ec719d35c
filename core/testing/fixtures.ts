import type { Batch } from '../batch.ts';
import type { FailureMode, PipelineContext } from '../context.ts';
import { pipelineContext } from '../context.ts';
import type { Headers, OutboundRecord } from '../envelope.ts';
import { encodeText } from '../envelope.ts';
import { MemoryMetrics } from '../metrics/memory.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { MemoryBroker } from '../memory/broker.ts';
import type { MemorySourceOptions } from '../memory/source.ts';
import { memorySource } from '../memory/source.ts';
import type { BatchResult } from '../stages/commit.ts';
import { ManualClock } from './manual-clock.ts';

/** Shared set-up for core tests: a manual clock, recorded metrics and an in-memory broker. */
export function harness(failureMode: FailureMode = 'atomic', extra: { maxDeliveries?: number; random?: () => number } = {}) {
  const clock = new ManualClock();
  const recorded = new MemoryMetrics();
  const context: PipelineContext = pipelineContext({
    failureMode,
    platform: { clock, metrics: createMetrics(recorded), random: extra.random ?? (() => 0.5) },
    consumerGroup: 'test-group',
    host: 'test-host',
    maxDeliveries: extra.maxDeliveries,
  });
  const broker = new MemoryBroker({ defaultPartitions: 3, now: () => clock.now() });
  const source = (topics: string[], options: Partial<MemorySourceOptions> = {}): AsyncGenerator<Batch<Uint8Array | null>> =>
    memorySource(broker, { topics, group: 'test-group', context, stopWhenIdle: true, batchSize: 10, ...options });
  return { clock, recorded, context, broker, source };
}

export const record = (topic: string, key: string | null, value: unknown, headers?: Headers): OutboundRecord => ({
  topic,
  key: key === null ? null : encodeText(key),
  value: value instanceof Uint8Array ? value : value === null ? null : encodeText(typeof value === 'string' ? value : JSON.stringify(value)),
  ...(headers ? { headers } : {}),
});

export const text = (bytes: Uint8Array | null | undefined): string | null =>
  bytes === null || bytes === undefined ? null : new TextDecoder().decode(bytes);

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export const totals = (results: readonly BatchResult[]) => ({
  committed: results.filter((r) => r.committed).length,
  aborted: results.filter((r) => !r.committed).length,
  ok: results.reduce((sum, r) => sum + r.ok, 0),
});
