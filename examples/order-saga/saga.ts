import { hostname } from 'node:os';
import { Hono } from 'hono';
import { Counter } from 'prom-client';
import { commit, deadLetter, decode, encodeText, encodeValue, json, messageOf, pipeline, pipelineContext, produce, systemClock, transform } from '../../core/index.ts';
import type { Logger } from '../../core/index.ts';
import { KafkaTransport, ensureTopics } from '../../adapters/kafka/index.ts';
import { healthApp } from '../../service/http/app.ts';
import { createLogger } from '../../service/logging.ts';
import { prometheusMetrics } from '../../service/metrics/prometheus.ts';
import { OrderEventSchema } from './events.ts';
import { serveOnNode } from '../../service/http/node-server.ts';
import { joinOrders } from './join.ts';
import type { JoinOutcome, OrderResult } from './join.ts';
import type { JoinStateStore } from './join-state.ts';
import { ordersApi } from './orders-api.ts';
import { PostgresJoinState } from './postgres-join-state.ts';
import { RedisJoinState } from './redis-join-state.ts';
import type { SagaSettings } from './settings.ts';

export interface SagaHooks {
  /** Default: JSON lines on stdout at the settings' level. */
  readonly logger?: Logger;
}

/** Running totals, from the batch results the commit stage yields. */
export interface SagaStats {
  readonly batchesCommitted: number;
  readonly batchesAborted: number;
  /** Answers that produced a result. */
  readonly emitted: number;
  /** Answers waiting for their partner, or ignored as duplicates. */
  readonly held: number;
  readonly deadLettered: number;
}

export interface OrderSaga {
  readonly settings: SagaSettings;
  /** Base URL of the HTTP server: GET /orders, /orders/:id, /metrics, /health/live, /health/ready. */
  readonly url: string;
  readonly store: JoinStateStore;
  stats(): SagaStats;
  scrape(): Promise<string>;
  /** Settles when the pipeline has stopped and everything is closed; rejects if it stopped on a fatal error. */
  readonly finished: Promise<void>;
  stop(): Promise<void>;
}

/** Opens the join state the settings name. */
export function openJoinState(settings: SagaSettings): Promise<JoinStateStore> {
  return settings.stateStore === 'redis'
    ? RedisJoinState.open({ ...(settings.redisUrl ? { url: settings.redisUrl } : {}), keyPrefix: settings.redisKeyPrefix })
    : PostgresJoinState.open({ ...(settings.databaseUrl ? { url: settings.databaseUrl } : {}), table: settings.stateTable });
}

/**
 * The seed's order saga on Orchestron stages: payment-orders and stock-orders → decode and validate → join by order id
 * in the state store → produce the result to orders → dead-letter poison and late arrivals → commit, in one Kafka
 * transaction per commit interval (atomic) or offsets committed once per interval (skip-and-log).
 */
export async function startOrderSaga(settings: SagaSettings, hooks: SagaHooks = {}): Promise<OrderSaga> {
  const logger = hooks.logger ?? createLogger(settings.logLevel, { example: 'order-saga' });
  const prometheus = prometheusMetrics();
  const answers = new Counter({
    name: 'order_saga_answers_total',
    help: 'Payment and stock answers processed, by what they came to: waiting, duplicate, or the order status they decided.',
    labelNames: ['outcome'],
    registers: [prometheus.registry],
  });
  const context = pipelineContext({
    failureMode: settings.failureMode,
    consumerGroup: settings.groupId,
    host: hostname(),
    platform: { clock: systemClock, logger, metrics: prometheus.metrics },
  });
  const store = await openJoinState(settings);
  let kafka: KafkaTransport;
  try {
    const topics = [settings.paymentTopic, settings.stockTopic, settings.ordersTopic, settings.dlqTopic];
    await ensureTopics(settings.brokers, topics.map((name) => ({ name, partitions: settings.partitions })));
    kafka = new KafkaTransport({
      brokers: settings.brokers,
      groupId: settings.groupId,
      topics: [settings.paymentTopic, settings.stockTopic],
      failureMode: settings.failureMode,
      instanceId: settings.instanceId,
      batchSize: settings.batchSize,
      commitIntervalMs: settings.commitIntervalMs,
      context,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  const stop = new AbortController();
  let running = true;

  const app = new Hono();
  app.route(
    '/',
    healthApp({
      scrape: prometheus.scrape,
      readiness: async () => {
        const checks = { pipeline: running ? 'ok' : 'stopped', joinState: await store.ping().then(() => 'ok', messageOf) };
        return { ready: Object.values(checks).every((check) => check === 'ok'), checks };
      },
    }),
  );
  app.route('/', ordersApi(store));
  const server = await serveOnNode(app.fetch, { host: settings.httpHost, port: settings.httpPort }).catch(async (error: unknown) => {
    await kafka.close();
    await store.close();
    throw error;
  });

  const join = joinOrders(store, {
    paymentTopic: settings.paymentTopic,
    stockTopic: settings.stockTopic,
    windowMs: settings.joinWindowMs,
    clock: context.platform.clock,
    logger,
    onOutcome: (outcome: JoinOutcome) => answers.inc({ outcome }),
  });
  const stats = { batchesCommitted: 0, batchesAborted: 0, emitted: 0, held: 0, deadLettered: 0 };
  const results = pipeline(
    kafka.source(stop.signal),
    decode(json<unknown>(), { schema: OrderEventSchema }),
    transform(join, { concurrency: settings.concurrency, orderBy: 'key', timeoutMs: 10_000, retry: { attempts: 3, initialDelayMs: 100, maxDelayMs: 2_000 } }),
    produce<OrderResult>(kafka.sink, {
      route: (record) => ({
        topic: settings.ordersTopic,
        key: encodeText(String(record.value.orderId)),
        value: encodeValue(record.value),
        headers: record.headers,
      }),
    }),
    deadLetter(kafka.sink, { topic: settings.dlqTopic }),
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
        stats.emitted += result.ok;
        stats.held += result.dropped.filtered;
        stats.deadLettered += result.dropped['dead-lettered'];
      }
    } catch (error) {
      logger.error({ error: messageOf(error), code: (error as { code?: string }).code }, 'order saga stopped on a fatal error');
      throw error;
    } finally {
      running = false;
      await kafka.close().catch((error: unknown) => logger.warn({ error: messageOf(error) }, 'closing kafka failed'));
      await server.close();
      await store.close().catch((error: unknown) => logger.warn({ error: messageOf(error) }, 'closing the join state failed'));
      logger.info({ ...stats }, 'order saga stopped');
    }
  })();
  finished.catch(() => {});

  logger.info(
    {
      payment: settings.paymentTopic,
      stock: settings.stockTopic,
      orders: settings.ordersTopic,
      dlq: settings.dlqTopic,
      group: settings.groupId,
      failureMode: settings.failureMode,
      joinWindowMs: settings.joinWindowMs,
      stateStore: settings.stateStore,
      http: server.url,
    },
    'order saga started',
  );

  return {
    settings,
    url: server.url,
    store,
    stats: () => ({ ...stats }),
    scrape: async () => (await prometheus.scrape()).body,
    finished,
    stop: async () => {
      stop.abort();
      await finished;
    },
  };
}
