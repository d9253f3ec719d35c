import type { Headers, OutboundRecord } from '../envelope.ts';
import { checkWholeNumber } from '../checks.ts';
import { ConfigError } from '../errors.ts';

/** A record as the in-memory broker keeps it. */
export interface StoredRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: Headers;
  readonly timestamp: number;
}

/** FNV-1a over the key bytes: a stable key → partition mapping, like Kafka's keyed partitioning. */
const hashKey = (key: Uint8Array): number => {
  let hash = 0x811c9dc5;
  for (const byte of key) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
};

/** Topics, partitions and committed group offsets in process memory: the embedded transport. */
export class MemoryBroker {
  readonly #topics = new Map<string, StoredRecord[][]>();
  readonly #committed = new Map<string, bigint>();
  readonly #roundRobin = new Map<string, number>();
  readonly #listeners = new Set<() => void>();
  readonly #now: () => number;
  readonly defaultPartitions: number;

  constructor(options: { readonly defaultPartitions?: number; readonly now?: () => number } = {}) {
    this.defaultPartitions = options.defaultPartitions ?? 3;
    this.#now = options.now ?? Date.now;
  }

  createTopic(name: string, partitions = this.defaultPartitions): void {
    if (!name) throw new ConfigError('topic', 'a topic needs a name');
    checkWholeNumber('partitions', partitions);
    if (!this.#topics.has(name)) this.#topics.set(name, Array.from({ length: partitions }, () => []));
  }

  partitions(topic: string): number {
    return this.#partitionsOf(topic).length;
  }

  /** Appends records; each goes to its explicit partition, its key's partition, or round-robin. */
  append(records: readonly OutboundRecord[]): void {
    for (const record of records) {
      const partitions = this.#partitionsOf(record.topic, true);
      const partition = this.#choosePartition(record, partitions.length);
      const log = partitions[partition] as StoredRecord[];
      log.push({
        topic: record.topic,
        partition,
        offset: BigInt(log.length),
        key: record.key,
        value: record.value,
        headers: record.headers ?? new Map(),
        timestamp: record.timestamp ?? this.#now(),
      });
    }
    if (records.length > 0) for (const listener of this.#listeners) listener();
  }

  read(topic: string, partition: number, from: bigint, max: number): readonly StoredRecord[] {
    const log = this.#partitionsOf(topic)[partition] ?? [];
    return log.slice(Number(from), Number(from) + max);
  }

  endOffset(topic: string, partition: number): bigint {
    return BigInt(this.#partitionsOf(topic)[partition]?.length ?? 0);
  }

  /** Every record of a topic, partition by partition. */
  records(topic: string): StoredRecord[] {
    return (this.#topics.get(topic) ?? []).flat();
  }

  committed(group: string, topic: string, partition: number): bigint {
    return this.#committed.get(`${group}\u0000${topic}\u0000${partition}`) ?? 0n;
  }

  commit(group: string, positions: readonly { topic: string; partition: number; offset: bigint }[]): void {
    for (const { topic, partition, offset } of positions) {
      const key = `${group}\u0000${topic}\u0000${partition}`;
      if (offset > (this.#committed.get(key) ?? 0n)) this.#committed.set(key, offset);
    }
  }

  /** Called after every append; returns an unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #partitionsOf(topic: string, create = false): StoredRecord[][] {
    if (create) this.createTopic(topic);
    const partitions = this.#topics.get(topic);
    if (!partitions) throw new ConfigError('topic', `unknown topic ${JSON.stringify(topic)}`);
    return partitions;
  }

  #choosePartition(record: OutboundRecord, count: number): number {
    if (record.partition !== undefined) return ((record.partition % count) + count) % count;
    if (record.key !== null && record.key.byteLength > 0) return hashKey(record.key) % count;
    const next = this.#roundRobin.get(record.topic) ?? 0;
    this.#roundRobin.set(record.topic, next + 1);
    return next % count;
  }
}
