import { ConfigError, JitterModes, checkOneOf, checkWholeNumber, defaultRetry } from '../../core/index.ts';
import type { Env, RetryOptions } from '../../core/index.ts';
import { parseBrokers, resolveInstanceId } from '../../adapters/kafka/index.ts';
import { GatewayVersions } from './payment-gateway.ts';
import type { GatewayVersion } from './payment-gateway.ts';

/** Settings of the dead-letter-retries example. Every field is optional: explicit, then environment, then default. */
export interface PaymentsOptions {
  /** KAFKA_BROKERS; default 127.0.0.1:9092. */
  readonly brokers?: string | readonly string[];
  /** ORDERS_TOPIC; default `payment-orders-in` (the seed's `orders`, renamed so that no other example reads or writes it). */
  readonly inputTopic?: string;
  /** PAYMENTS_TOPIC; default `<inputTopic>-paid`. */
  readonly outputTopic?: string;
  /** ORDERS_DLQ_TOPIC; default `<inputTopic>-dlq` (the seed's `orders-dlq`). */
  readonly deadLetterTopic?: string;
  /** CONSUMER_GROUP; default `order-payments`. */
  readonly groupId?: string;
  /** ORCHESTRON_INSTANCE_ID, then HOSTNAME; default `payments-0`. Written to the dead letters' `source_host`. */
  readonly instanceId?: string;
  /** PAYMENT_GATEWAY_VERSION: `v1` (has the JPY bug) or `v2` (the fix); default v1. */
  readonly gateway?: GatewayVersion;
  /** PAYMENT_TIMEOUT_MS: deadline of one charge attempt, past it TIMEOUT_ERROR; default 5,000. */
  readonly timeoutMs?: number;
  /** RETRY_ATTEMPTS, RETRY_INITIAL_DELAY_MS, RETRY_MAX_DELAY_MS, RETRY_FACTOR; default the seed's 3 attempts, 1 s doubling to 30 s. */
  /** RETRY_ATTEMPTS, RETRY_INITIAL_DELAY_MS, RETRY_MAX_DELAY_MS, RETRY_FACTOR, RETRY_JITTER (full, equal or none; default full). */
  readonly retry?: Partial<RetryOptions>;
  /** BATCH_SIZE: most records per batch; default 500. */
  readonly batchSize?: number;
  /** HTTP_HOST / HTTP_PORT: where GET /metrics and /health/* are served; default 127.0.0.1:8083 (0: any free port). */
  readonly httpHost?: string;
  readonly httpPort?: number;
  /** AUDIT_LOG: the business audit trail, one JSON event per record outcome; default `payments-audit.jsonl`. */
  readonly auditLog?: string;
}

export interface ResolvedPaymentsOptions {
  readonly brokers: string[];
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly deadLetterTopic: string;
  readonly groupId: string;
  readonly instanceId: string;
  readonly gateway: GatewayVersion;
  readonly timeoutMs: number;
  readonly retry: RetryOptions;
  readonly batchSize: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly auditLog: string;
}

/** A whole number from the environment, or undefined when unset; the error names the variable. */
function envNumber(env: Env, name: string, integer = true): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new ConfigError(name, `must be a ${integer ? 'whole number' : 'number'}; got ${JSON.stringify(text)}`);
  }
  return value;
}

function topicName(field: string, value: string): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(value)) {
    throw new ConfigError(field, `must be a Kafka topic name (letters, digits, . _ -); got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Explicit options, then the environment, then the defaults; validated here, once. */
export function resolvePaymentsOptions(options: PaymentsOptions = {}, env: Env = {}): ResolvedPaymentsOptions {
  const inputTopic = topicName('inputTopic', options.inputTopic ?? env.ORDERS_TOPIC ?? 'payment-orders-in');
  const attempts = checkWholeNumber('retry.attempts', options.retry?.attempts ?? envNumber(env, 'RETRY_ATTEMPTS') ?? defaultRetry.attempts);
  const initialDelayMs = checkWholeNumber(
    'retry.initialDelayMs',
    options.retry?.initialDelayMs ?? envNumber(env, 'RETRY_INITIAL_DELAY_MS') ?? defaultRetry.initialDelayMs,
    0,
  );
  const maxDelayMs = checkWholeNumber('retry.maxDelayMs', options.retry?.maxDelayMs ?? envNumber(env, 'RETRY_MAX_DELAY_MS') ?? defaultRetry.maxDelayMs, 0);
  if (maxDelayMs < initialDelayMs) {
    throw new ConfigError('retry.maxDelayMs', `must be ≥ retry.initialDelayMs (${initialDelayMs}); got ${maxDelayMs}`);
  }
  const factor = options.retry?.factor ?? envNumber(env, 'RETRY_FACTOR', false) ?? defaultRetry.factor;
  if (!(factor >= 1)) throw new ConfigError('retry.factor', `must be a number ≥ 1; got ${JSON.stringify(factor)}`);
  return {
    brokers: parseBrokers(options.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    inputTopic,
    outputTopic: topicName('outputTopic', options.outputTopic ?? env.PAYMENTS_TOPIC ?? `${inputTopic}-paid`),
    deadLetterTopic: topicName('deadLetterTopic', options.deadLetterTopic ?? env.ORDERS_DLQ_TOPIC ?? `${inputTopic}-dlq`),
    groupId: options.groupId ?? env.CONSUMER_GROUP ?? 'order-payments',
    instanceId: resolveInstanceId(options.instanceId, env, 'payments-0').id,
    gateway: checkOneOf('gateway', options.gateway ?? env.PAYMENT_GATEWAY_VERSION ?? 'v1', GatewayVersions),
    timeoutMs: checkWholeNumber('timeoutMs', options.timeoutMs ?? envNumber(env, 'PAYMENT_TIMEOUT_MS') ?? 5_000),
    retry: { attempts, initialDelayMs, maxDelayMs, factor, jitter: checkOneOf('retry.jitter', options.retry?.jitter ?? env.RETRY_JITTER ?? defaultRetry.jitter, JitterModes) },
    batchSize: checkWholeNumber('batchSize', options.batchSize ?? envNumber(env, 'BATCH_SIZE') ?? 500),
    httpHost: options.httpHost ?? (env.HTTP_HOST || '127.0.0.1'),
    httpPort: checkWholeNumber('HTTP_PORT', options.httpPort ?? envNumber(env, 'HTTP_PORT') ?? 8_083, 0),
    auditLog: options.auditLog ?? (env.AUDIT_LOG || 'payments-audit.jsonl'),
  };
}
