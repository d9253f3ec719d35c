import type { SASLOptions } from '@platformatic/kafka';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, FailureModes, checkBoolean, checkOneOf, checkWholeNumber, kindOf, shownValue } from '../../core/index.ts';
import type { FailureMode } from '../../core/index.ts';

export const CompressionValues = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof CompressionValues)[number];

export interface KafkaOptions {
  /** `host:port` list; default from KAFKA_BROKERS, then 127.0.0.1:9092. */
  readonly brokers?: readonly string[] | string;
  readonly clientId?: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly failureMode?: FailureMode;
  /**
   * Stable identity of this instance across restarts (a pod name, a host name): its transactional id is
   * `<transactionalIdPrefix>-<instanceId>`, so a restarted instance fences its zombie. Default from ORCHESTRON_INSTANCE_ID.
   */
  readonly instanceId?: string;
  readonly transactionalIdPrefix?: string;
  /** Most records in one batch (one transaction in atomic mode). */
  readonly batchSize?: number;
  /** Longest a batch waits to fill once its first record arrived: the commit interval. */
  readonly commitIntervalMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly rebalanceTimeoutMs?: number;
  /** Records the consumer buffers ahead of the pipeline before it stops fetching (backpressure). */
  readonly maxBufferedRecords?: number;
  /**
   * Most bytes one fetch returns (Kafka's `fetch.max.bytes`). The client decodes a whole fetch at once, so this bounds
   * how long one fetch keeps the event loop (and the group heartbeat) busy; the client's own default is 50 MiB.
   */
  readonly fetchMaxBytes?: number;
  /** Most bytes one fetch returns per partition (Kafka's `max.partition.fetch.bytes`). */
  readonly fetchMaxBytesPerPartition?: number;
  readonly compression?: Compression;
  readonly sasl?: SASLOptions;
  readonly tls?: ConnectionOptions;
  /** Where to start when the group has no committed offset. */
  readonly fromBeginning?: boolean;
}

export interface ResolvedKafkaOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly failureMode: FailureMode;
  readonly transactionalId: string;
  readonly batchSize: number;
  readonly commitIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly maxBufferedRecords: number;
  readonly fetchMaxBytes: number;
  readonly fetchMaxBytesPerPartition: number;
  readonly compression: Compression;
  readonly sasl?: SASLOptions;
  readonly tls?: ConnectionOptions;
  readonly fromBeginning: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const mebibyte = 1_048_576;


export function parseBrokers(value: unknown): string[] {
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (!items || items.some((b) => typeof b !== 'string')) {
    throw new ConfigError('brokers', `expected host:port, a comma-separated string or a list of them; got ${shownValue(value)}`);
  }
  const list = (items as string[]).map((b) => b.trim()).filter(Boolean);
  if (list.length === 0) throw new ConfigError('brokers', 'needs at least one host:port');
  for (const broker of list) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) throw new ConfigError('brokers', `expected host:port; got ${shownValue(broker)}`);
  }
  return list;
}

function checkName(field: string, value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value;
  throw new ConfigError(field, `must be a non-empty string; got ${shownValue(value)}`);
}

/** A topic name the broker accepts: 1 to 249 letters, digits, '.', '_' or '-' (and neither '.' nor '..'). */
export function checkTopicName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(value) || value === '.' || value === '..') {
    throw new ConfigError(field, `must be a Kafka topic name (1 to 249 letters, digits, '.', '_' or '-'); got ${shownValue(value)}`);
  }
  return value;
}

function checkTopics(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError('topics', `at least one source topic is required; got ${shownValue(value)}`);
  for (const topic of value) checkTopicName('topics', topic);
  return value as string[];
}

function checkObject<T>(field: string, value: T): T {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  throw new ConfigError(field, `must be an object; got ${kindOf(value)}`);
}

/** Explicit options, then the environment, then defaults; validated here, once. */
export function resolveKafkaOptions(options: KafkaOptions, env: Env = {}): ResolvedKafkaOptions {
  const failureMode = checkOneOf('failureMode', options.failureMode ?? 'atomic', FailureModes);
  const groupId = checkName('groupId', options.groupId);
  const topics = checkTopics(options.topics);
  const compression = checkOneOf('compression', options.compression ?? 'none', CompressionValues);
  const instanceId = checkName('instanceId', options.instanceId ?? env.ORCHESTRON_INSTANCE_ID ?? env.HOSTNAME ?? 'orchestron-0');
  const sessionTimeoutMs = checkWholeNumber('sessionTimeoutMs', options.sessionTimeoutMs ?? 30_000);
  return {
    brokers: parseBrokers(options.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    clientId: checkName('clientId', options.clientId ?? `orchestron-${instanceId}`),
    groupId,
    topics,
    failureMode,
    transactionalId: `${checkName('transactionalIdPrefix', options.transactionalIdPrefix ?? groupId)}-${instanceId}`,
    batchSize: checkWholeNumber('batchSize', options.batchSize ?? 1_000),
    commitIntervalMs: checkWholeNumber('commitIntervalMs', options.commitIntervalMs ?? 100),
    sessionTimeoutMs,
    heartbeatIntervalMs: checkWholeNumber('heartbeatIntervalMs', options.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeoutMs / 3))),
    rebalanceTimeoutMs: checkWholeNumber('rebalanceTimeoutMs', options.rebalanceTimeoutMs ?? Math.max(sessionTimeoutMs, 60_000)),
    maxBufferedRecords: checkWholeNumber('maxBufferedRecords', options.maxBufferedRecords ?? 5_000),
    fetchMaxBytes: checkWholeNumber('fetchMaxBytes', options.fetchMaxBytes ?? 4 * mebibyte),
    fetchMaxBytesPerPartition: checkWholeNumber('fetchMaxBytesPerPartition', options.fetchMaxBytesPerPartition ?? mebibyte),
    compression,
    ...(options.sasl ? { sasl: checkObject('sasl', options.sasl) } : {}),
    ...(options.tls ? { tls: checkObject('tls', options.tls) } : {}),
    fromBeginning: checkBoolean('fromBeginning', options.fromBeginning ?? true),
  };
}
