import { hostname } from 'node:os';
import {
  commit,
  createMetrics,
  deadLetter,
  decode,
  json,
  pipeline,
  pipelineContext,
  produce,
  transform,
} from '../../core/index.ts';
import type { BatchResult, Logger, Metrics, MetricsFactory } from '../../core/index.ts';
import { KafkaTransport } from '../../adapters/kafka/index.ts';
import type { ResolvedPaymentsOptions } from './config.ts';
import { auditTrail } from './audit.ts';
import { OrderSchema } from './order.ts';
import { PaymentGateway } from './payment-gateway.ts';

export interface PaymentsTotals {
  readonly batches: number;
  readonly paid: number;
  readonly deadLettered: number;
}

export interface PaymentsPipeline {
  readonly gateway: PaymentGateway;
  /** Resolves when the pipeline has stopped and its Kafka clients are closed. */
  readonly done: Promise<PaymentsTotals>;
  /** Totals so far. */
  totals(): PaymentsTotals;
  /** Lets the batch in flight settle, then closes the clients. */
  stop(): Promise<PaymentsTotals>;
}

export interface PaymentsDeps {
  readonly logger: Logger;
  /** Where the core's metrics go: instruments already made (prom-client's, see service/metrics) or a factory (MemoryMetrics); default nowhere. */
  readonly metrics?: Metrics | MetricsFactory;
  /** The business audit trail: one event per record outcome once its batch commits (see audit.ts); default none. */
  readonly audit?: Logger;
  /** Called after each batch settles. */
  readonly onBatch?: (result: BatchResult) => void;
}

/**
 * The seed's DLQ handler as a pipeline, in skip-and-log mode: orders are decoded (bad JSON → DESERIALIZATION_ERROR)
 * and checked against the schema (→ VALIDATION_ERROR), neither retried; the charge is retried with exponential
 * backoff and full jitter on PROCESSING_ERROR and TIMEOUT_ERROR; whatever still fails goes to the dead-letter topic
 * with its context headers, and offsets move on.
 */
export function startPaymentsPipeline(options: ResolvedPaymentsOptions, deps: PaymentsDeps): PaymentsPipeline {
  const context = pipelineContext({
    failureMode: 'skip-and-log',
    consumerGroup: options.groupId,
    host: hostname(),
    platform: { logger: deps.logger, metrics: deps.metrics && 'recordsOk' in deps.metrics ? deps.metrics : createMetrics(deps.metrics) },
  });
  const transport = new KafkaTransport({
    brokers: options.brokers,
    groupId: options.groupId,
    topics: [options.inputTopic],
    failureMode: 'skip-and-log',
    instanceId: options.instanceId,
    batchSize: options.batchSize,
    context,
  });
  const gateway = new PaymentGateway(options.gateway);
  const stopping = new AbortController();
  const totals = { batches: 0, paid: 0, deadLettered: 0 };

  const run = async (): Promise<PaymentsTotals> => {
    try {
      const results = pipeline(
        transport.source(stopping.signal),
        decode(json(), { schema: OrderSchema }),
        transform((order, _record, signal) => gateway.charge(order, signal), {
          concurrency: 16,
          orderBy: 'key',
          timeoutMs: options.timeoutMs,
          retry: options.retry,
        }),
        produce(transport.sink, { topic: options.outputTopic }),
        deadLetter(transport.sink, { topic: options.deadLetterTopic }),
        deps.audit ? auditTrail(deps.audit) : (input) => input,
        commit(),
      );
      for await (const result of results) {
        totals.batches++;
        if (result.committed) {
          totals.paid += result.ok;
          totals.deadLettered += result.dropped['dead-lettered'];
        }
        deps.onBatch?.(result);
      }
    } finally {
      await transport.close();
    }
    return { ...totals };
  };
  const done = run();

  return {
    gateway,
    done,
    totals: () => ({ ...totals }),
    stop: () => {
      stopping.abort();
      return done;
    },
  };
}
