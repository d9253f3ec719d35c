// `npm run example -- dead-letter-retries [run|samples|replay]`: the seed's DLQ handler on Kafka. See docs/examples/dead-letter-retries.md.
import { ConfigError, FailureCategories, checkOneOf } from '../../core/index.ts';
import type { FailureCategory } from '../../core/index.ts';
import { ensureTopics, replay } from '../../adapters/kafka/index.ts';
import { resolvePaymentsOptions } from './config.ts';
import { startPaymentsPipeline } from './pipeline.ts';
import { produceSamples } from './produce-samples.ts';
import { sampleOrders } from './samples.ts';
import { stopOnSignals } from '../lifecycle.ts';
import { createLogger } from '../../service/logging.ts';
import { healthApp } from '../../service/http/app.ts';
import { serveOnNode } from '../../service/http/node-server.ts';
import { prometheusMetrics } from '../../service/metrics/prometheus.ts';

const commands = ['run', 'samples', 'replay'] as const;
const logger = createLogger(process.env.LOG_LEVEL ?? 'info', { example: 'dead-letter-retries' });

function onStop(stop: () => void): void {
  stopOnSignals((signal) => {
    logger.info({ signal }, 'stopping');
    stop();
  });
}

function replayCategories(text: string): FailureCategory[] {
  return text.split(',').map((c) => checkOneOf('REPLAY_CATEGORIES', c.trim(), FailureCategories));
}

try {
  const command = checkOneOf('command', process.argv[2] ?? 'run', commands);
  const options = resolvePaymentsOptions({}, process.env);
  await ensureTopics(options.brokers, [options.inputTopic, options.outputTopic, options.deadLetterTopic].map((name) => ({ name })));

  if (command === 'samples') {
    const slowMs = Number(process.env.SAMPLE_SLOW_MS ?? 8_000);
    if (!Number.isInteger(slowMs) || slowMs < 0) throw new ConfigError('SAMPLE_SLOW_MS', `must be a whole number; got ${process.env.SAMPLE_SLOW_MS}`);
    const samples = sampleOrders(`ord-${Date.now().toString(36)}`, slowMs);
    await produceSamples(options.brokers, options.inputTopic, samples);
    logger.info({ topic: options.inputTopic, orders: samples.length, expected: samples.map((s) => `${s.orderId} ${s.expected}`) }, 'sample orders produced');
  } else if (command === 'replay') {
    const stop = new AbortController();
    onStop(() => stop.abort());
    const summary = await replay({
      brokers: options.brokers,
      dlqTopic: options.deadLetterTopic,
      categories: replayCategories(process.env.REPLAY_CATEGORIES ?? 'PROCESSING_ERROR,TIMEOUT_ERROR'),
      ratePerSecond: Number(process.env.REPLAY_RATE ?? 100),
      signal: stop.signal,
      logger,
    });
    logger.info({ dlqTopic: options.deadLetterTopic, ...summary }, 'dead letters replayed');
  } else {
    const { retry, timeoutMs, gateway, inputTopic, outputTopic, deadLetterTopic, groupId, auditLog } = options;
    // Two streams, as the seed keeps them: the service's health log on stdout, the business audit trail in its own file.
    const audit = createLogger('info', { example: 'dead-letter-retries', stream: 'audit' }, auditLog);
    const prometheus = prometheusMetrics();
    let running = true;
    const app = healthApp({
      scrape: prometheus.scrape,
      readiness: async () => ({ ready: running, checks: { pipeline: running ? 'ok' : 'stopped' } }),
    });
    const server = await serveOnNode(app.fetch, { host: options.httpHost, port: options.httpPort });
    logger.info({ inputTopic, outputTopic, deadLetterTopic, groupId, gateway, timeoutMs, retry, http: server.url, auditLog }, 'payments pipeline starting');
    const payments = startPaymentsPipeline(options, {
      logger,
      metrics: prometheus.metrics,
      audit,
      onBatch: (result) =>
        logger.info({ batch: result.id, committed: result.committed, paid: result.ok, deadLettered: result.dropped['dead-lettered'] }, 'batch settled'),
    });
    onStop(() => void payments.stop());
    const totals = await payments.done.finally(() => {
      running = false;
      return server.close();
    });
    logger.info({ ...totals }, 'payments pipeline stopped');
  }
} catch (error) {
  logger.error({ error: error instanceof Error ? error.message : String(error) }, 'dead-letter-retries failed');
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
