import { ConfigError, checkWholeNumber, kindOf } from '../../core/index.ts';
import { transactionalRetryDelay } from './transactional-retry.ts';

/**
 * The Kafka client's own retry and timeout settings, applied to the consumer, the producer and the admin client alike.
 * Unset ones keep the client's defaults (`kafkaClientDefaults`).
 */
export interface KafkaClientOptions {
  /** How many times a failed request is retried. The producer (idempotent) takes 0 or 1 as no limit, the client's rule. */
  readonly retries?: number;
  /** Delay between retries. Transactional calls refused with CONCURRENT_TRANSACTIONS retry sooner (transactional-retry.ts). */
  readonly retryDelayMs?: number;
  /** How long a request waits for the broker's answer on an open connection before it fails (and may be retried). */
  readonly requestTimeoutMs?: number;
  /** How long connecting to a broker (TCP, TLS, SASL) may take. */
  readonly connectTimeoutMs?: number;
  /** How old cluster metadata (leaders, partitions) may get before it is fetched again. */
  readonly metadataMaxAgeMs?: number;
}

/** The client's defaults, for the docs and the config schema; the producer's `retries` is unlimited (idempotent). */
export const kafkaClientDefaults = { retries: 3, retryDelayMs: 1_000, requestTimeoutMs: 30_000, connectTimeoutMs: 5_000, metadataMaxAgeMs: 5_000 } as const;

/** The least each setting accepts. */
const minimums: Readonly<Record<keyof KafkaClientOptions, number>> = {
  retries: 0,
  retryDelayMs: 0,
  requestTimeoutMs: 1,
  connectTimeoutMs: 1,
  metadataMaxAgeMs: 0,
};

const names = Object.keys(minimums) as (keyof KafkaClientOptions)[];

/** Validates `kafka.client`: each field a whole number within its range; an unknown field is refused by name. */
export function resolveClientOptions(value: unknown): KafkaClientOptions {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError('kafka.client', `must be an object; got ${kindOf(value)}`);
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(names as string[]).includes(key)) throw new ConfigError(`kafka.client.${key}`, `is not a client setting; the settings are ${names.join(', ')}`);
  }
  const resolved: Record<string, number> = {};
  for (const name of names) {
    if (given[name] !== undefined) resolved[name] = checkWholeNumber(`kafka.client.${name}`, given[name], minimums[name]);
  }
  return resolved as KafkaClientOptions;
}

/**
 * The options every client (consumer, producer, admin) is given, in the client's names. The retry delay is always a
 * function: the short backoff for CONCURRENT_TRANSACTIONS, the configured delay otherwise.
 */
export function kafkaClientSettings(options: KafkaClientOptions) {
  return {
    retryDelay: transactionalRetryDelay(options.retryDelayMs ?? kafkaClientDefaults.retryDelayMs),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeout: options.connectTimeoutMs } : {}),
    ...(options.metadataMaxAgeMs !== undefined ? { metadataMaxAge: options.metadataMaxAgeMs } : {}),
  };
}
