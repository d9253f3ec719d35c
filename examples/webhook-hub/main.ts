// `npm run example -- webhook-hub [all|api|relay|consume]`: the seed's webhook → outbox → Kafka hub. See docs/examples/webhook-hub.md.
import { ConfigError, checkOneOf } from '../../core/index.ts';
import { resolveInstanceId } from '../../adapters/kafka/index.ts';
import { createPostgresDedupStore } from '../../adapters/postgres/index.ts';
import { resolveHubOptions } from './config.ts';
import { startDedupConsumer } from './dedup-consumer.ts';
import { startHub } from './hub.ts';
import { stopOnSignals } from '../lifecycle.ts';
import { createLogger } from '../../service/logging.ts';

const roles = ['all', 'api', 'relay', 'consume'] as const;
// The CLI's log format (JSON lines, ISO time, level labels), written synchronously: a line logged just before a crash
// (the relay's crash hook) is not lost in a buffer.
const logger = createLogger(process.env.LOG_LEVEL ?? 'info', { example: 'webhook-hub' });

function onStop(stop: () => Promise<unknown>): void {
  stopOnSignals((signal) => {
    logger.info({ signal }, 'stopping');
    return stop().then(
      () => logger.info({}, 'stopped'),
      (error: unknown) => {
        logger.error({ error: String(error) }, 'stop failed');
        process.exitCode = 1;
      },
    );
  });
}

try {
  const role = checkOneOf('role', process.argv[2] ?? 'all', roles);
  const options = resolveHubOptions({}, process.env);
  if (role === 'consume') {
    const store = await createPostgresDedupStore({ url: options.databaseUrl, dedupTable: `${options.tablePrefix}_dedup`, logger });
    const consumer = startDedupConsumer({
      brokers: options.brokers,
      topic: options.topic,
      outputTopic: options.deliveredTopic,
      groupId: options.consumerGroup,
      instanceId: resolveInstanceId(undefined, process.env, 'webhook-hub-consumer-0').id,
      store,
      ttlMs: options.dedupTtlMs,
      logger,
    });
    logger.info({ topic: options.topic, deliveredTopic: options.deliveredTopic, group: options.consumerGroup }, 'dedup consumer started');
    consumer.done.catch((error: unknown) => {
      logger.error({ error: String(error) }, 'dedup consumer failed');
      process.exitCode = 1;
    });
    onStop(async () => {
      await consumer.stop();
      await store.close();
    });
  } else {
    if (options.apiKeysGenerated && role !== 'relay') {
      logger.warn({ apiKey: options.apiKeys[0]?.key }, 'WEBHOOK_HUB_API_KEYS is not set: this key was generated for this run only');
    }
    const hub = await startHub(options, {
      logger,
      roles: { api: role !== 'relay', relay: role !== 'api' },
      ...(options.crashAfterPublish
        ? {
            afterPublish: (rows) => {
              logger.warn({ rows: rows.length, outboxIds: rows.map((r) => r.id) }, 'crash hook: batch published, SIGKILL before marking it');
              process.kill(process.pid, 'SIGKILL');
            },
          }
        : {}),
    });
    logger.info({ role, url: hub.url, topic: options.topic, tablePrefix: options.tablePrefix }, 'webhook hub started');
    onStop(() => hub.stop());
  }
} catch (error) {
  logger.error({ error: error instanceof Error ? error.message : String(error) }, 'webhook-hub failed to start');
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
