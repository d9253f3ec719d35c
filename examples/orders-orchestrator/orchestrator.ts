import { hostname } from 'node:os';
import { commit, deadLetter, decode, json, messageOf, pipeline, pipelineContext, produce, systemClock, transform } from '../../core/index.ts';
import type { FailureTracker, Logger, TransformFn } from '../../core/index.ts';
import { KafkaTransport, ensureTopics } from '../../adapters/kafka/index.ts';
import { healthApp } from '../../service/http/app.ts';
import { createLogger } from '../../service/logging.ts';
import { prometheusMetrics } from '../../service/metrics/prometheus.ts';
import { serveOnNode } from '../../service/http/node-server.ts';
import { OrderSchema, enrichOrder } from './orders.ts';
import type { Order } from './orders.ts';
import type { OrchestratorSettings } from './settings.ts';
import { openTracking } from './tracking.ts';

export interface OrchestratorHooks {
  /** Default: JSON lines on stdout at the settings' level. */
  readonly logger?: Logger;
  /** The seed's MessageTransformer: replaces the sample enrichment. */
  readonly transformer?: TransformFn<Order, unknown>;
}

/** Running totals, from the batch results the commit stage yields. */
export interface OrchestratorStats {
  readonly batchesCommitted: number;
  readonly batchesAborted: number;
  readonly recordsOk: number;
  readonly deadLettered: number;
  readonly filtered: number;
}

export interface OrdersOrchestrator {
  readonly settings: OrchestratorSettings;
  /** Base URL of the HTTP server: GET /metrics, /health/live, /health/ready. */
  readonly url: string;
  readonly tracker: FailureTracker | undefined;
  stats(): OrchestratorStats;
  /** The Prometheus exposition text, as GET /metrics serves it. */
  scrape(): Promise<string>;
  /** Settles when the pipeline has stopped and everything is closed; rejects if it stopped on a fatal error. */
  readonly finished: Promise<void>;
  /** Stops fetching, lets the batch in flight settle, closes Kafka, the tracker and the HTTP server. */
  stop(): Promise<void>;
}

/**
 * The seed's orders orchestrator on Orchestron stages: source topic → RECEIVED pre-insert → decode and validate →
 * parallel transform (per-key order) → produce → dead-letter → SUCCESS/FAILED rows → commit, in one Kafka transaction
 * per batch (atomic) or with offsets committed after each batch (skip-and-log).
 */
export async function startOrdersOrchestrator(settings: OrchestratorSettings, hooks: OrchestratorHooks = {}): Promise<OrdersOrchestrator> {
  const logger = hooks.logger ?? createLogger(settings.logLevel, { example: 'orders-orchestrator' });
  const prometheus = prometheusMetrics();
  const context = pipelineContext({
    failureMode: settings.failureMode,
    consumerGroup: settings.groupId,
    host: hostname(),
    platform: { clock: systemClock, logger, metrics: prometheus.metrics },
  });
  const tracking = await openTracking(settings, context.platform);
  const topics = [settings.sourceTopic, settings.targetTopic, settings.dlqTopic];
  let kafka: KafkaTransport;
  try {
    await ensureTopics(settings.brokers, topics.map((name) => ({ name, partitions: settings.partitions })));
    kafka = new KafkaTransport({
      brokers: settings.brokers,
      groupId: settings.groupId,
      topics: [settings.sourceTopic],
      failureMode: settings.failureMode,
      instanceId: settings.instanceId,
      batchSize: settings.batchSize,
      commitIntervalMs: settings.commitIntervalMs,
      context,
    });
  } catch (error) {
    await tracking.close();
    throw error;
  }
  const stop = new AbortController();
  let running = true;

  const app = healthApp({
    scrape: prometheus.scrape,
    readiness: async () => {
      const checks: Record<string, string> = { pipeline: running ? 'ok' : 'stopped' };
      if (tracking.tracker) {
        const state = tracking.breaker?.state ?? 'closed';
        checks.tracker = state === 'closed' ? ((await tracking.tracker.ping?.().then(() => 'ok', messageOf)) ?? 'ok') : `breaker ${state}`;
      }
      return { ready: Object.values(checks).every((check) => check === 'ok'), checks };
    },
  });
  const server = await serveOnNode(app.fetch, { host: settings.httpHost, port: settings.httpPort }).catch(async (error: unknown) => {
    await kafka.close();
    await tracking.close();
    throw error;
  });

  const transformer: TransformFn<Order, unknown> = hooks.transformer ?? enrichOrder;
  const stats = { batchesCommitted: 0, batchesAborted: 0, recordsOk: 0, deadLettered: 0, filtered: 0 };
  const results = pipeline(
    kafka.source(stop.signal),
    tracking.received,
    decode(json<unknown>(), { schema: OrderSchema }),
    transform(transformer, {
      concurrency: settings.concurrency,
      orderBy: settings.orderBy,
      timeoutMs: settings.transformTimeoutMs,
      retry: { attempts: settings.maxAttempts, initialDelayMs: settings.retryDelayMs, maxDelayMs: Math.max(settings.retryDelayMs, 30_000) },
    }),
    produce(kafka.sink, { topic: settings.targetTopic }),
    deadLetter(kafka.sink, { topic: settings.dlqTopic }),
    tracking.settled,
    commit(),
  );

  const finished = (async () => {
    try {
      for await (const result of results) {
        if (!result.committed) {
          stats.batchesAborted++;
          continue;
        }
        stats.batchesCommitted++;
        stats.recordsOk += result.ok;
        stats.deadLettered += result.dropped['dead-lettered'];
        stats.filtered += result.dropped.filtered;
        logger.debug({ batch: result.id, ok: result.ok, deadLettered: result.dropped['dead-lettered'] }, 'batch committed');
      }
    } catch (error) {
      logger.error({ error: messageOf(error), code: (error as { code?: string }).code }, 'orchestrator stopped on a fatal error');
      throw error;
    } finally {
      running = false;
      await kafka.close().catch((error: unknown) => logger.warn({ error: messageOf(error) }, 'closing kafka failed'));
      await tracking.close().catch((error: unknown) => logger.warn({ error: messageOf(error) }, 'closing the tracker failed'));
      await server.close();
      logger.info({ ...stats }, 'orders orchestrator stopped');
    }
  })();
  finished.catch(() => {});

  logger.info(
    {
      source: settings.sourceTopic,
      target: settings.targetTopic,
      dlq: settings.dlqTopic,
      group: settings.groupId,
      failureMode: settings.failureMode,
      dbStrategy: settings.dbStrategy,
      concurrency: settings.concurrency,
      http: server.url,
    },
    'orders orchestrator started',
  );

  return {
    settings,
    url: server.url,
    tracker: tracking.tracker,
    stats: () => ({ ...stats }),
    scrape: async () => (await prometheus.scrape()).body,
    finished,
    stop: async () => {
      stop.abort();
      await finished;
    },
  };
}
