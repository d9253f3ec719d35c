import type { Hono } from 'hono';
import { ConfigError, systemClock } from '../../core/index.ts';
import type { FailureTracker, Logger } from '../../core/index.ts';
import { replay } from '../../adapters/kafka/index.ts';
import { storeEntry } from '../../adapters/registry/stores.ts';
import type { LoadedConfig } from '../config/load.ts';
import { storeSettings } from '../config/store-url.ts';
import { consoleApp } from './app.ts';
import { openAuditTrail } from './audit.ts';
import { consoleCredentials, secretsOf } from './credentials.ts';
import { deadLetterEntry } from './dead-letter-entry.ts';
import { DeadLetterIndex } from './dead-letter-index.ts';
import { dlqTopicOf, kafkaAccess } from '../pipeline/kafka-access.ts';
import { ReplayJobs } from './replay-jobs.ts';
import type { ConsoleEnv } from './security-headers.ts';
import { standaloneStatus } from './status.ts';
import type { StatusSource } from './status.ts';
import { tailTopic } from './topic-tail.ts';

export interface OpenConsole {
  readonly app: Hono<ConsoleEnv>;
  readonly dlqTopic: string;
  close(): Promise<void>;
}

/**
 * The console over a config's dead-letter topic and failure tracker: the dead letters read into memory as they
 * arrive, the audit trail, replay jobs; `status` is the running service's when mounted in `run`, else what the broker
 * tells about the group.
 */
export async function openConsole({ config, baseDir }: LoadedConfig, parts: { readonly logger: Logger; readonly status?: StatusSource }): Promise<OpenConsole> {
  const credentials = consoleCredentials(config);
  if (config.transport !== 'kafka') throw new ConfigError('transport', 'the console reads the dead letters from Kafka: it needs transport kafka');
  const { logger } = parts;
  const access = await kafkaAccess(config, baseDir);
  const dlqTopic = dlqTopicOf(config);
  const index = new DeadLetterIndex(config.console.maxRecords);
  const previewBytes = config.console.previewBytes;
  const store = storeEntry(config.store);
  const tracker: FailureTracker | undefined =
    config.trackerStrategy === 'NONE' ? undefined : await store.openTracker(storeSettings(config, store), { logger, clock: systemClock });
  const closers: (() => Promise<void>)[] = [async () => tracker?.close()];
  try {
    const audit = await openAuditTrail(access, dlqTopic, logger);
    closers.unshift(() => audit.close());
    const tail = tailTopic(access, dlqTopic, (message) => index.add(deadLetterEntry(message, previewBytes)), logger);
    closers.unshift(() => tail.close());
    const standalone = parts.status ? undefined : standaloneStatus(access, config.kafka.groupId, config.topics);
    if (standalone) closers.unshift(() => standalone.close());
    const jobs = new ReplayJobs({
      dlqTopic,
      index,
      audit,
      logger,
      run: (options) => replay({ ...options, brokers: access.brokers, ...(access.sasl ? { sasl: access.sasl } : {}), ...(access.tls ? { tls: access.tls } : {}), ...(access.client ? { client: access.client } : {}) }),
    });
    closers.unshift(() => jobs.close());
    const app = consoleApp({
      dlqTopic,
      credentials,
      secrets: secretsOf(config),
      index,
      ...(tracker ? { tracker } : {}),
      jobs,
      audit,
      status: parts.status ?? standalone!,
      maxReplayRate: config.console.maxReplayRate,
      sessionTtlMs: config.console.sessionTtlMs,
    });
    return {
      app,
      dlqTopic,
      async close() {
        for (const close of closers) await close().catch((error: unknown) => logger.warn({ error: String(error) }, 'console: closing'));
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => {});
    throw error;
  }
}
