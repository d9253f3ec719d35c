import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, MemoryBroker, encodeText, memorySink, memorySource, messageOf } from '../../core/index.ts';
import type { Batch, PipelineContext, Sink } from '../../core/index.ts';
import { KafkaTransport } from '../../adapters/kafka/index.ts';
import type { PartitionLag, PartitionProblems } from '../../adapters/kafka/index.ts';
import type { Env } from '../config/env.ts';
import type { Config } from '../config/schema.ts';
import { kafkaAccess } from './kafka-access.ts';

/** Where batches come from and records go, whichever transport the config names. */
export interface Transport {
  readonly name: Config['transport'];
  readonly sink: Sink;
  source(signal: AbortSignal): AsyncIterable<Batch<Uint8Array | null>>;
  /** Partitions assigned to this instance; always at least one for the in-memory transport. */
  assignedPartitions(): number;
  /** Source partitions stopped (dead letters that cannot be written) or stalled; none for the in-memory transport. */
  partitionProblems(): PartitionProblems;
  /** The consumer lag of the partitions assigned here, as last measured; none for the in-memory transport. */
  consumerLag(): readonly PartitionLag[];
  close(deadlineMs: number): Promise<void>;
  /** Creates the missing topics of `topics`, each with its `like` topic's partition count (Kafka only); returns those created. */
  createTopicsLike?(topics: readonly { readonly name: string; readonly like: string }[]): Promise<string[]>;
  /** The in-memory broker, for inspection (memory transport only). */
  readonly broker?: MemoryBroker;
}

const decoder = new TextDecoder();

const keyOf = (line: string, field: string | undefined): Uint8Array | null => {
  if (!field) return null;
  try {
    const value = (JSON.parse(line) as Record<string, unknown> | null)?.[field];
    return value === undefined || value === null ? null : encodeText(String(value));
  } catch {
    return null;
  }
};

async function seedFromFile(broker: MemoryBroker, topic: string, config: Config['memory'] & { inputFile: string }, baseDir: string): Promise<number> {
  const file = config.inputFile;
  let text: string;
  try {
    text = await readFile(resolve(baseDir, file), 'utf8');
  } catch (error) {
    throw new ConfigError('memory.inputFile', `cannot read ${file}: ${messageOf(error)}`);
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  broker.append(lines.map((line) => ({ topic, key: keyOf(line, config.keyField), value: encodeText(line) })));
  return lines.length;
}

/** `holdUntilDue`: the retry consumer's Kafka transport (see docs/retries.md). */
export async function openTransport(config: Config, context: PipelineContext, env: Env, baseDir: string, options: { readonly holdUntilDue?: boolean } = {}): Promise<Transport> {
  if (config.transport === 'memory') {
    const broker = new MemoryBroker({ defaultPartitions: config.memory.partitions });
    const { inputFile } = config.memory;
    if (inputFile) await seedFromFile(broker, config.topics[0]!, { ...config.memory, inputFile }, baseDir);
    return {
      name: 'memory',
      sink: memorySink(broker),
      broker,
      source: (signal) =>
        memorySource(broker, { topics: config.topics, group: config.kafka.groupId, context, batchSize: config.kafka.batchSize, signal }),
      assignedPartitions: () => 1,
      partitionProblems: () => ({ blocked: [], stalled: [] }),
      consumerLag: () => [],
      close: async () => {},
    };
  }
  const k = config.kafka;
  const access = await kafkaAccess(config, baseDir);
  const transport = new KafkaTransport({
    ...(k.brokers !== undefined ? { brokers: k.brokers } : {}),
    ...(k.clientId ? { clientId: k.clientId } : {}),
    ...(k.instanceId ? { instanceId: k.instanceId } : {}),
    ...(k.transactionalIdPrefix ? { transactionalIdPrefix: k.transactionalIdPrefix } : {}),
    ...(k.heartbeatIntervalMs ? { heartbeatIntervalMs: k.heartbeatIntervalMs } : {}),
    ...(k.sessionTimeoutMs ? { sessionTimeoutMs: k.sessionTimeoutMs } : {}),
    ...(k.staticMembership !== undefined ? { staticMembership: k.staticMembership } : {}),
    groupProtocol: k.groupProtocol as 'classic',
    ...(k.rebalanceTimeoutMs ? { rebalanceTimeoutMs: k.rebalanceTimeoutMs } : {}),
    transactionTimeoutMs: k.transactionTimeoutMs,
    ...(access.sasl ? { sasl: access.sasl } : {}),
    ...(access.tls ? { tls: access.tls } : {}),
    groupId: k.groupId,
    topics: config.topics,
    failureMode: config.failureMode,
    batchSize: k.batchSize,
    lingerMs: k.lingerMs,
    commitIntervalMs: k.commitIntervalMs,
    maxBufferedRecords: k.maxBufferedRecords,
    fetchMaxBytes: k.fetchMaxBytes,
    fetchMaxBytesPerPartition: k.fetchMaxBytesPerPartition,
    compression: k.compression as 'none',
    fromBeginning: k.fromBeginning,
    stallTimeoutMs: k.stallTimeoutMs,
    lagIntervalMs: k.lagIntervalMs,
    ...(options.holdUntilDue ? { holdUntilDue: true } : {}),
    client: k.client,
    context,
    env,
  });
  return {
    name: 'kafka',
    sink: transport.sink,
    source: (signal) => transport.source(signal),
    assignedPartitions: () => transport.assignments().reduce((n, a) => n + a.partitions.length, 0),
    partitionProblems: () => transport.partitionProblems(),
    consumerLag: () => transport.consumerLag(),
    close: (deadlineMs) => transport.close(deadlineMs),
    createTopicsLike: (topics) => transport.createTopicsLike(topics),
  };
}

export const decodeForLog = (bytes: Uint8Array | null): string | null => (bytes === null ? null : decoder.decode(bytes));
