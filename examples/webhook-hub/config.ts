import { randomBytes } from 'node:crypto';
import { ConfigError, checkIdentifier, checkWholeNumber, redactUrl } from '../../core/index.ts';
import type { Env } from '../../core/index.ts';
import { parseBrokers } from '../../adapters/kafka/index.ts';
import { defaultDatabaseUrl } from '../../adapters/postgres/index.ts';
import type { ApiKey } from './api-keys.ts';

/** Settings of the webhook hub. Every field is optional: explicit, then environment, then the seed's defaults. */
export interface HubOptions {
  /** WEBHOOK_HUB_HOST; default 127.0.0.1. */
  readonly host?: string;
  /** WEBHOOK_HUB_PORT; default 8082 (0: any free port), so that it runs beside the other examples. */
  readonly port?: number;
  /** WEBHOOK_HUB_API_KEYS as `name:key,name:key`; default one key generated for the run. Keys have 16 characters at least. */
  readonly apiKeys?: readonly ApiKey[];
  /** WEBHOOK_HUB_RATE_LIMIT: requests per second per API key; default 100. */
  readonly rateLimit?: number;
  /** WEBHOOK_HUB_RATE_LIMIT_BURST: requests a key may send at once above the rate; default 20. */
  readonly rateLimitBurst?: number;
  /** WEBHOOK_HUB_MAX_PAYLOAD_BYTES: largest request body; default 1 MiB. */
  readonly maxPayloadBytes?: number;
  /** DATABASE_URL. */
  readonly databaseUrl?: string;
  /** WEBHOOK_HUB_TABLE_PREFIX: tables are `<prefix>_events`, `<prefix>_outbox`, `<prefix>_dead_letter_queue`; default `webhook_hub`. */
  readonly tablePrefix?: string;
  /** KAFKA_BROKERS. */
  readonly brokers?: string | readonly string[];
  /** WEBHOOK_HUB_TOPIC: where the relay publishes events; default `events`. */
  readonly topic?: string;
  /** WEBHOOK_HUB_OUTBOX_BATCH_SIZE: rows the relay claims at once; default 100. */
  readonly batchSize?: number;
  /** WEBHOOK_HUB_OUTBOX_INTERVAL_MS: pause between relay passes that found less than a batch; default 5,000. */
  readonly intervalMs?: number;
  /** WEBHOOK_HUB_MAX_ATTEMPTS: publish attempts of a row before it moves to the dead-letter table; default 3. */
  readonly maxAttempts?: number;
  /** WEBHOOK_HUB_RETRY_INITIAL_DELAY_MS / WEBHOOK_HUB_RETRY_MAX_DELAY_MS: backoff between attempts; default 1 s doubling to 30 s. */
  readonly retryInitialDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  /** WEBHOOK_HUB_PUBLISH_TIMEOUT_MS: longest wait for the broker to acknowledge a batch; default 30,000. */
  readonly publishTimeoutMs?: number;
  /** The `consume` role: WEBHOOK_HUB_CONSUMER_GROUP, default `webhook-hub-consumer`. */
  readonly consumerGroup?: string;
  /** The `consume` role: WEBHOOK_HUB_DELIVERED_TOPIC, where each event lands once; default `<topic>-delivered`. */
  readonly deliveredTopic?: string;
  /** The `consume` role: WEBHOOK_HUB_DEDUP_TTL_MS, how long event ids are remembered; default 7 days. */
  readonly dedupTtlMs?: number;
  /**
   * Test hook, WEBHOOK_HUB_CRASH_AFTER_PUBLISH=1: the relay kills its own process (SIGKILL) right after publishing its
   * first batch, before marking it, to show that a crash there duplicates and never loses.
   */
  readonly crashAfterPublish?: boolean;
}

export interface ResolvedHubOptions {
  readonly host: string;
  readonly port: number;
  readonly apiKeys: readonly ApiKey[];
  /** True when no key was configured and one was generated for this run. */
  readonly apiKeysGenerated: boolean;
  readonly rateLimit: number;
  readonly rateLimitBurst: number;
  readonly maxPayloadBytes: number;
  readonly databaseUrl: string;
  readonly tablePrefix: string;
  readonly brokers: string[];
  readonly topic: string;
  readonly batchSize: number;
  readonly intervalMs: number;
  readonly maxAttempts: number;
  readonly retryInitialDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly publishTimeoutMs: number;
  readonly consumerGroup: string;
  readonly deliveredTopic: string;
  readonly dedupTtlMs: number;
  readonly crashAfterPublish: boolean;
}

function envNumber(env: Env, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new ConfigError(name, `must be a whole number; got ${JSON.stringify(text)}`);
  return Number(text);
}

/** `name:key` pairs, comma-separated; the error never shows a key. */
export function parseApiKeys(field: string, text: string): ApiKey[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const colon = entry.indexOf(':');
      if (colon <= 0) throw new ConfigError(field, `entry ${i + 1} must be name:key`);
      return { name: entry.slice(0, colon), key: entry.slice(colon + 1) };
    });
}

function checkApiKeys(field: string, keys: readonly ApiKey[]): readonly ApiKey[] {
  keys.forEach(({ name, key }, i) => {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new ConfigError(field, `entry ${i + 1}: the name must be 1 to 64 letters, digits, _ . -`);
    if (key.length < 16 || /\s/.test(key)) throw new ConfigError(field, `key "${name}" must have 16 characters at least and no spaces`);
  });
  if (new Set(keys.map((k) => k.name)).size !== keys.length) throw new ConfigError(field, 'names must be unique');
  if (new Set(keys.map((k) => k.key)).size !== keys.length) throw new ConfigError(field, 'keys must be unique');
  return keys;
}

function topicName(field: string, value: string): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(value)) throw new ConfigError(field, `must be a Kafka topic name; got ${JSON.stringify(value)}`);
  return value;
}

function databaseUrl(value: string): string {
  let protocol = '';
  try {
    protocol = new URL(value).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new ConfigError('databaseUrl', `must be a postgres:// URL; got ${JSON.stringify(redactUrl(value))}`);
  }
  return value;
}

/** Explicit options, then the environment, then the defaults; validated here, once. */
export function resolveHubOptions(options: HubOptions = {}, env: Env = {}): ResolvedHubOptions {
  const configured = options.apiKeys ?? (env.WEBHOOK_HUB_API_KEYS ? parseApiKeys('WEBHOOK_HUB_API_KEYS', env.WEBHOOK_HUB_API_KEYS) : []);
  const apiKeysGenerated = configured.length === 0;
  const apiKeys = apiKeysGenerated ? [{ name: 'generated', key: randomBytes(18).toString('base64url') }] : checkApiKeys('apiKeys', configured);
  const topic = topicName('topic', options.topic ?? env.WEBHOOK_HUB_TOPIC ?? 'events');
  const retryInitialDelayMs = checkWholeNumber(
    'retryInitialDelayMs',
    options.retryInitialDelayMs ?? envNumber(env, 'WEBHOOK_HUB_RETRY_INITIAL_DELAY_MS') ?? 1_000,
    0,
  );
  const retryMaxDelayMs = checkWholeNumber('retryMaxDelayMs', options.retryMaxDelayMs ?? envNumber(env, 'WEBHOOK_HUB_RETRY_MAX_DELAY_MS') ?? 30_000, 0);
  if (retryMaxDelayMs < retryInitialDelayMs) {
    throw new ConfigError('retryMaxDelayMs', `must be ≥ retryInitialDelayMs (${retryInitialDelayMs}); got ${retryMaxDelayMs}`);
  }
  const port = checkWholeNumber('port', options.port ?? envNumber(env, 'WEBHOOK_HUB_PORT') ?? 8_082, 0);
  if (port > 65_535) throw new ConfigError('port', `must be at most 65535; got ${port}`);
  return {
    host: options.host ?? env.WEBHOOK_HUB_HOST ?? '127.0.0.1',
    port,
    apiKeys,
    apiKeysGenerated,
    rateLimit: checkWholeNumber('rateLimit', options.rateLimit ?? envNumber(env, 'WEBHOOK_HUB_RATE_LIMIT') ?? 100),
    rateLimitBurst: checkWholeNumber('rateLimitBurst', options.rateLimitBurst ?? envNumber(env, 'WEBHOOK_HUB_RATE_LIMIT_BURST') ?? 20),
    maxPayloadBytes: checkWholeNumber('maxPayloadBytes', options.maxPayloadBytes ?? envNumber(env, 'WEBHOOK_HUB_MAX_PAYLOAD_BYTES') ?? 1_048_576),
    databaseUrl: databaseUrl(options.databaseUrl ?? env.DATABASE_URL ?? defaultDatabaseUrl),
    tablePrefix: checkIdentifier('tablePrefix', options.tablePrefix ?? env.WEBHOOK_HUB_TABLE_PREFIX ?? 'webhook_hub'),
    brokers: parseBrokers(options.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    topic,
    batchSize: checkWholeNumber('batchSize', options.batchSize ?? envNumber(env, 'WEBHOOK_HUB_OUTBOX_BATCH_SIZE') ?? 100),
    intervalMs: checkWholeNumber('intervalMs', options.intervalMs ?? envNumber(env, 'WEBHOOK_HUB_OUTBOX_INTERVAL_MS') ?? 5_000),
    maxAttempts: checkWholeNumber('maxAttempts', options.maxAttempts ?? envNumber(env, 'WEBHOOK_HUB_MAX_ATTEMPTS') ?? 3),
    retryInitialDelayMs,
    retryMaxDelayMs,
    publishTimeoutMs: checkWholeNumber('publishTimeoutMs', options.publishTimeoutMs ?? envNumber(env, 'WEBHOOK_HUB_PUBLISH_TIMEOUT_MS') ?? 30_000),
    consumerGroup: options.consumerGroup ?? env.WEBHOOK_HUB_CONSUMER_GROUP ?? 'webhook-hub-consumer',
    deliveredTopic: topicName('deliveredTopic', options.deliveredTopic ?? env.WEBHOOK_HUB_DELIVERED_TOPIC ?? `${topic}-delivered`),
    dedupTtlMs: checkWholeNumber('dedupTtlMs', options.dedupTtlMs ?? envNumber(env, 'WEBHOOK_HUB_DEDUP_TTL_MS') ?? 7 * 24 * 3_600_000),
    crashAfterPublish: options.crashAfterPublish ?? env.WEBHOOK_HUB_CRASH_AFTER_PUBLISH === '1',
  };
}
