import {
  MemoryBroker,
  MemoryDedupStore,
  MemoryMetrics,
  MemoryTracker,
  commit,
  createMetrics,
  deadLetter,
  decode,
  dedup,
  encodeText,
  json,
  memorySink,
  memorySource,
  pipeline,
  pipelineContext,
  produce,
  systemClock,
  track,
  transform,
} from '../../core/index.ts';
import type { FailureMode, Logger, StatusCounts, TrackerStrategy } from '../../core/index.ts';
import { enricher } from './enrich.ts';
import type { EnrichedOrder } from './enrich.ts';
import { generateOrders, seededRandom } from './orders.ts';
import type { Order } from './orders.ts';

export interface DemoOptions {
  readonly orders: number;
  readonly failureMode: FailureMode;
  readonly trackerStrategy: TrackerStrategy;
  readonly logger?: Logger;
}

export interface DemoSummary {
  readonly failureMode: FailureMode;
  readonly trackerStrategy: TrackerStrategy;
  readonly generated: number;
  readonly enriched: number;
  readonly deduplicated: number;
  readonly deadLettered: Readonly<Record<string, number>>;
  readonly transformRetries: number;
  readonly batches: { readonly committed: number; readonly aborted: number };
  readonly tracker: Readonly<StatusCounts>;
  readonly elapsedMs: number;
  readonly recordsPerSecond: number;
  readonly sample?: EnrichedOrder;
}

const metric = (metrics: MemoryMetrics, name: string) => metrics.total(`orchestron_${name}`);

/**
 * The embedded default: generated orders → decode → dedup → enrich (with retries) → produce, dead letters and the
 * tracker, all in memory. The same stages run against Kafka and real stores through the adapters.
 */
export async function runOrderEnrichment(options: DemoOptions): Promise<DemoSummary> {
  const broker = new MemoryBroker({ defaultPartitions: 6 });
  const random = seededRandom(42);
  const flaky = seededRandom(7);
  for (const item of generateOrders(options.orders, random)) {
    const text = item.kind === 'invalid-json' ? item.text : JSON.stringify(item.order);
    const key = item.kind === 'invalid-json' ? null : item.order.customerId;
    broker.append([{ topic: 'orders', key: key === null ? null : encodeText(key), value: encodeText(text) }]);
  }

  const recorded = new MemoryMetrics();
  const context = pipelineContext({
    failureMode: options.failureMode,
    platform: { clock: systemClock, metrics: createMetrics(recorded), ...(options.logger ? { logger: options.logger } : {}) },
    consumerGroup: 'orders-orchestrator',
    host: 'embedded',
  });
  const sink = memorySink(broker);
  const tracker = new MemoryTracker();
  const tracking = track(tracker, { strategy: options.trackerStrategy });
  const results = pipeline(
    memorySource(broker, { topics: ['orders'], group: 'orders-orchestrator', context, batchSize: 500, stopWhenIdle: true }),
    tracking.received,
    decode(json<Order>()),
    dedup(new MemoryDedupStore(), { key: (record) => record.value.orderId, ttlMs: 3_600_000 }),
    transform(enricher(() => flaky() < 0.01), {
      concurrency: 16,
      orderBy: 'key',
      timeoutMs: 1_000,
      retry: { attempts: 3, initialDelayMs: 2, maxDelayMs: 20 },
    }),
    produce(sink, { topic: 'enriched-orders' }),
    deadLetter(sink),
    tracking,
    commit(),
  );

  const started = performance.now();
  const batches = { committed: 0, aborted: 0 };
  for await (const result of results) batches[result.committed ? 'committed' : 'aborted']++;
  const elapsedMs = performance.now() - started;

  const deadLettered: Record<string, number> = {};
  for (const record of broker.records('orders-dlq')) {
    const category = new TextDecoder().decode(record.headers.get('error_category') ?? new Uint8Array());
    deadLettered[category] = (deadLettered[category] ?? 0) + 1;
  }
  const enriched = broker.records('enriched-orders');
  const first = enriched[0]?.value;
  return {
    failureMode: options.failureMode,
    trackerStrategy: options.trackerStrategy,
    generated: options.orders,
    enriched: enriched.length,
    deduplicated: metric(recorded, 'records_deduplicated_total'),
    deadLettered,
    transformRetries: metric(recorded, 'transform_retries_total'),
    batches,
    tracker: await tracker.countByStatus(),
    elapsedMs: Math.round(elapsedMs),
    recordsPerSecond: Math.round(options.orders / (elapsedMs / 1000)),
    ...(first ? { sample: JSON.parse(new TextDecoder().decode(first)) as EnrichedOrder } : {}),
  };
}
