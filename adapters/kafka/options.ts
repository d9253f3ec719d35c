import type { SASLOptions } from '@platformatic/kafka';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, FailureModes, checkBoolean, checkOneOf, checkWholeNumber, kindOf, shownValue } from '../../core/index.ts';
import type { Env, FailureMode } from '../../core/index.ts';
import { resolveClientOptions } from './client-options.ts';
import type { KafkaClientOptions } from './client-options.ts';

export const CompressionValues = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof CompressionValues)[number];

/** Kafka's consumer group protocols: `classic` (JoinGroup/SyncGroup) and `consumer` (KIP-848, brokers 4.0 and later). */
export const GroupProtocolValues = ['classic', 'consumer'] as const;
export type GroupProtocol = (typeof GroupProtocolValues)[number];

/** Where the instance id came from; only an explicit one (the option or ORCHESTRON_INSTANCE_ID) is a promise of uniqueness. */
export type InstanceIdSource = 'option' | 'ORCHESTRON_INSTANCE_ID' | 'HOSTNAME' | 'default';

export interface KafkaOptions {
  /** `host:port` list; default from KAFKA_BROKERS, then 127.0.0.1:9092. */
  readonly brokers?: readonly string[] | string;
  readonly clientId?: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly failureMode?: FailureMode;
  /**
   * Stable identity of this instance across restarts (a pod name, a host name): its transactional id is
   * `<transactionalIdPrefix>-<instanceId>`, so a restarted instance fences its zombie, and, with static membership,
   * its group instance id. Default from ORCHESTRON_INSTANCE_ID, then HOSTNAME, then `orchestron-0`. Two live processes
   * must never share one: the broker fences one of them, which then stops with an INSTANCE_ID_IN_USE or PRODUCER_FENCED error.
   */
  readonly instanceId?: string;
  /**
   * Static membership (Kafka's `group.instance.id` = the instance id): a restarted instance takes its place back in the
   * group, with its partitions, instead of joining as a new member while its dead predecessor holds them until the
   * session timeout. Default on when the instance id is explicit (this option or ORCHESTRON_INSTANCE_ID) and off when
   * it comes from HOSTNAME or the default: a host name is neither unique per process (two workers on one machine would
   * fence each other) nor stable across restarts (a Deployment's pod gets a new one), which is what static membership needs.
   * Off by default with the consumer protocol, whose broker holds a static member's id until its session expires even
   * for the member itself after it was fenced in a rebalance (UNRELEASED_INSTANCE_ID), and restores a crashed member's
   * partitions no sooner than without it.
   */
  readonly staticMembership?: boolean;
  /**
   * `classic` (default) or `consumer` (KIP-848: the broker assigns partitions and rebalances incrementally). With
   * `consumer` the broker's group settings (`group.consumer.session.timeout.ms`, `group.consumer.heartbeat.interval.ms`)
   * apply, so `sessionTimeoutMs` and `heartbeatIntervalMs` are refused.
   */
  readonly groupProtocol?: GroupProtocol;
  readonly transactionalIdPrefix?: string;
  /** Most records in one batch (one transaction in atomic mode). */
  readonly batchSize?: number;
  /**
   * Longest a batch waits for more records once its first one arrived; default 2. A batch goes as soon as it is full, or
   * holds what the fetches returned by then: records are not held for the commit interval.
   */
  readonly lingerMs?: number;
  /**
   * How often progress is made durable: at-least-once, the offsets of the batches finished meanwhile are committed
   * together; exactly-once, one transaction spans the batches processed within it. Default 100.
   */
  readonly commitIntervalMs?: number;
  /** Classic protocol only; default 30000. */
  readonly sessionTimeoutMs?: number;
  /** Classic protocol only; default a third of the session timeout, at most 3000. */
  readonly heartbeatIntervalMs?: number;
  readonly rebalanceTimeoutMs?: number;
  /**
   * Atomic mode: how long a transaction may stay open before the coordinator aborts it (Kafka's
   * `transaction.timeout.ms`; at most the broker's `transaction.max.timeout.ms`, 15 min by default). A batch whose
   * stages take longer never commits. Default 60000, Kafka's own default; the client would otherwise send its 5 s
   * request timeout.
   */
  readonly transactionTimeoutMs?: number;
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
  /**
   * A partition with records waiting and no committed progress for this long is reported stalled (readiness, a log
   * line, `orchestron_partition_stalled`) and the consumer is reopened; default 60000, 0 turns the watchdog off.
   */
  readonly stallTimeoutMs?: number;
  /**
   * How often the consumer lag of the partitions assigned here is measured (`orchestron_consumer_lag`), besides right
   * after a rebalance; default 5000, 0 turns it off.
   */
  readonly lagIntervalMs?: number;
  /**
   * A retry consumer (see docs/retries.md): a record whose `retry_topic-backoff-timestamp` header (epoch ms) is still
   * ahead holds its partition — nothing of it is handed out or committed, the other partitions flow — until that time,
   * when the partition is read again from its committed offset. Default false.
   */
  readonly holdUntilDue?: boolean;
  /** The Kafka client's retry and timeout settings, for the consumer, the producer and the admin client. */
  readonly client?: KafkaClientOptions;
}

export interface ResolvedKafkaOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly failureMode: FailureMode;
  readonly instanceId: string;
  readonly instanceIdSource: InstanceIdSource;
  readonly transactionalId: string;
  readonly groupProtocol: GroupProtocol;
  /** The consumer's `group.instance.id` when static membership is on. */
  readonly groupInstanceId?: string;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly commitIntervalMs: number;
  /** Classic protocol only: undefined with `consumer`, whose session the broker sets. */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly rebalanceTimeoutMs: number;
  readonly transactionTimeoutMs: number;
  readonly maxBufferedRecords: number;
  readonly fetchMaxBytes: number;
  readonly fetchMaxBytesPerPartition: number;
  readonly compression: Compression;
  readonly sasl?: SASLOptions;
  readonly tls?: ConnectionOptions;
  readonly fromBeginning: boolean;
  readonly stallTimeoutMs: number;
  readonly lagIntervalMs: number;
  /** Present (true) only when asked for. */
  readonly holdUntilDue?: true;
  readonly client: KafkaClientOptions;
}

const mebibyte = 1_048_576;

/** The defaults of KafkaOptions, written once: the service's config schema shows and applies these. */
export const kafkaDefaults = {
  brokers: '127.0.0.1:9092',
  instanceId: 'orchestron-0',
  groupProtocol: 'classic',
  batchSize: 1_000,
  lingerMs: 2,
  commitIntervalMs: 100,
  /** Classic protocol only. */
  sessionTimeoutMs: 30_000,
  /** The heartbeat defaults to a third of the session timeout, at most this. */
  maxHeartbeatIntervalMs: 3_000,
  /** The rebalance timeout defaults to the session timeout, at least this. */
  minRebalanceTimeoutMs: 60_000,
  transactionTimeoutMs: 60_000,
  maxBufferedRecords: 5_000,
  fetchMaxBytes: 4 * mebibyte,
  fetchMaxBytesPerPartition: mebibyte,
  compression: 'none',
  fromBeginning: true,
  stallTimeoutMs: 60_000,
  lagIntervalMs: 5_000,
} as const;

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

/** The instance id and where it came from: the option, then ORCHESTRON_INSTANCE_ID, then HOSTNAME, then `fallback` (`orchestron-0`). */
export function resolveInstanceId(
  instanceId: string | undefined,
  env: Env = {},
  fallback: string = kafkaDefaults.instanceId,
): { readonly id: string; readonly source: InstanceIdSource } {
  const [value, source]: [unknown, InstanceIdSource] =
    instanceId !== undefined
      ? [instanceId, 'option']
      : env.ORCHESTRON_INSTANCE_ID
        ? [env.ORCHESTRON_INSTANCE_ID, 'ORCHESTRON_INSTANCE_ID']
        : env.HOSTNAME
          ? [env.HOSTNAME, 'HOSTNAME']
          : [fallback, 'default'];
  return { id: checkName('instanceId', value), source };
}

/** Classic: the session settings, defaulted; consumer (KIP-848): the broker owns them, so setting one is an error. */
export function groupSessionSettings(options: Pick<KafkaOptions, 'sessionTimeoutMs' | 'heartbeatIntervalMs'>, protocol: GroupProtocol) {
  if (protocol === 'consumer') {
    for (const field of ['sessionTimeoutMs', 'heartbeatIntervalMs'] as const) {
      if (options[field] !== undefined) {
        throw new ConfigError(
          field,
          `does not apply with groupProtocol 'consumer' (the broker's group.consumer.${field === 'sessionTimeoutMs' ? 'session.timeout.ms' : 'heartbeat.interval.ms'} sets it); remove it, or use groupProtocol 'classic'`,
        );
      }
    }
    return { sessionTimeoutMs: undefined, heartbeatIntervalMs: undefined, rebalanceDefaultMs: kafkaDefaults.minRebalanceTimeoutMs };
  }
  const sessionTimeoutMs = checkWholeNumber('sessionTimeoutMs', options.sessionTimeoutMs ?? kafkaDefaults.sessionTimeoutMs);
  const heartbeatIntervalMs = checkWholeNumber(
    'heartbeatIntervalMs',
    options.heartbeatIntervalMs ?? Math.min(kafkaDefaults.maxHeartbeatIntervalMs, Math.floor(sessionTimeoutMs / 3)),
  );
  return { sessionTimeoutMs, heartbeatIntervalMs, rebalanceDefaultMs: Math.max(sessionTimeoutMs, kafkaDefaults.minRebalanceTimeoutMs) };
}

/** Explicit options, then the environment, then defaults; validated here, once. */
export function resolveKafkaOptions(options: KafkaOptions, env: Env = {}): ResolvedKafkaOptions {
  const failureMode = checkOneOf('failureMode', options.failureMode ?? 'atomic', FailureModes);
  const groupId = checkName('groupId', options.groupId);
  const topics = checkTopics(options.topics);
  const compression = checkOneOf('compression', options.compression ?? kafkaDefaults.compression, CompressionValues);
  const { id: instanceId, source: instanceIdSource } = resolveInstanceId(options.instanceId, env);
  const groupProtocol = checkOneOf('groupProtocol', options.groupProtocol ?? kafkaDefaults.groupProtocol, GroupProtocolValues);
  const explicitId = instanceIdSource === 'option' || instanceIdSource === 'ORCHESTRON_INSTANCE_ID';
  // Under the consumer protocol static membership brings a crashed instance back no sooner (the broker holds its id
  // until its session expires), and a member the broker fences mid-rebalance cannot rejoin until then: off by default.
  const staticMembership = checkBoolean('staticMembership', options.staticMembership ?? (explicitId && groupProtocol === 'classic'));
  const { sessionTimeoutMs, heartbeatIntervalMs, rebalanceDefaultMs } = groupSessionSettings(options, groupProtocol);
  return {
    brokers: parseBrokers(options.brokers ?? env.KAFKA_BROKERS ?? kafkaDefaults.brokers),
    clientId: checkName('clientId', options.clientId ?? `orchestron-${instanceId}`),
    groupId,
    topics,
    failureMode,
    instanceId,
    instanceIdSource,
    transactionalId: `${checkName('transactionalIdPrefix', options.transactionalIdPrefix ?? groupId)}-${instanceId}`,
    groupProtocol,
    ...(staticMembership ? { groupInstanceId: instanceId } : {}),
    batchSize: checkWholeNumber('batchSize', options.batchSize ?? kafkaDefaults.batchSize),
    lingerMs: checkWholeNumber('lingerMs', options.lingerMs ?? kafkaDefaults.lingerMs, 0),
    commitIntervalMs: checkWholeNumber('commitIntervalMs', options.commitIntervalMs ?? kafkaDefaults.commitIntervalMs),
    ...(sessionTimeoutMs !== undefined ? { sessionTimeoutMs, heartbeatIntervalMs } : {}),
    rebalanceTimeoutMs: checkWholeNumber('rebalanceTimeoutMs', options.rebalanceTimeoutMs ?? rebalanceDefaultMs),
    transactionTimeoutMs: checkWholeNumber('transactionTimeoutMs', options.transactionTimeoutMs ?? kafkaDefaults.transactionTimeoutMs),
    maxBufferedRecords: checkWholeNumber('maxBufferedRecords', options.maxBufferedRecords ?? kafkaDefaults.maxBufferedRecords),
    fetchMaxBytes: checkWholeNumber('fetchMaxBytes', options.fetchMaxBytes ?? kafkaDefaults.fetchMaxBytes),
    fetchMaxBytesPerPartition: checkWholeNumber('fetchMaxBytesPerPartition', options.fetchMaxBytesPerPartition ?? kafkaDefaults.fetchMaxBytesPerPartition),
    compression,
    ...(options.sasl ? { sasl: checkObject('sasl', options.sasl) } : {}),
    ...(options.tls ? { tls: checkObject('tls', options.tls) } : {}),
    fromBeginning: checkBoolean('fromBeginning', options.fromBeginning ?? kafkaDefaults.fromBeginning),
    stallTimeoutMs: checkWholeNumber('stallTimeoutMs', options.stallTimeoutMs ?? kafkaDefaults.stallTimeoutMs, 0),
    lagIntervalMs: checkWholeNumber('lagIntervalMs', options.lagIntervalMs ?? kafkaDefaults.lagIntervalMs, 0),
    ...(checkBoolean('holdUntilDue', options.holdUntilDue ?? false) ? { holdUntilDue: true as const } : {}),
    client: resolveClientOptions(options.client),
  };
}
