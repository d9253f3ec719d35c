import { Admin, Consumer, FetchIsolationLevels, MessagesStreamFallbackModes, MessagesStreamModes, Producer, stringDeserializer, stringSerializer } from '@platformatic/kafka';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteTopics, ensureTopics } from './admin.ts';
import { rememberFreshTopics } from './fresh-topics.ts';
import type { Logger } from '../../core/index.ts';
import type { KafkaMessage } from './records.ts';

/** Test support: the broker from `npm run services:up`, unique names, producing and reading back. */
export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Fresh `<prefix>-<random>-<suffix>` topics on `brokerList` (the shared broker unless given). */
export async function freshTopics(
  prefix: string,
  partitions = 6,
  suffixes: readonly string[] = ['in', 'out'],
  brokerList: readonly string[] | string = brokers,
): Promise<Record<string, string>> {
  const base = unique(prefix);
  rememberFreshTopics(typeof brokerList === 'string' ? brokerList : brokerList.join(','), base);
  const names = Object.fromEntries(suffixes.map((s) => [s, `${base}-${s}`]));
  await ensureTopics(brokerList, Object.values(names).map((name) => ({ name, partitions })));
  return names;
}

/**
 * Deletes the topics named after `freshTopics` bases (see takeFreshTopics), those the pipeline created from them too
 * (a default `<input>-dlq`), so that repeated runs do not pile topics up on a developer's broker. Best effort: a
 * broker that is gone (a scenario's private one) or slow to answer within `timeoutMs` keeps its topics.
 */
export async function dropFreshTopics(bases: ReadonlyMap<string, ReadonlySet<string>>, timeoutMs = 20_000): Promise<void> {
  const drops = [...bases].map(([brokerList, named]) => {
    const prefixes = [...named].map((base) => `${base}-`);
    return deleteTopics(brokerList, (name) => prefixes.some((prefix) => name.startsWith(prefix)));
  });
  await Promise.race([Promise.allSettled(drops), sleep(timeoutMs, undefined, { ref: false })]);
}

/** Produces JSON values (or raw strings) keyed as given, in chunks, and returns when all are acknowledged. */
export async function produceRecords(topic: string, records: readonly { key: string; value: unknown; headers?: Record<string, string> }[]): Promise<void> {
  const producer = new Producer({ clientId: unique('test-producer'), bootstrapBrokers: brokers, idempotent: true, serializers: { headerKey: stringSerializer } });
  try {
    for (let i = 0; i < records.length; i += 2_000) {
      const messages = records.slice(i, i + 2_000).map((r) => ({
        topic,
        key: Buffer.from(r.key),
        value: Buffer.from(typeof r.value === 'string' ? r.value : JSON.stringify(r.value)),
        headers: new Map(Object.entries(r.headers ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
      }));
      await producer.send({ messages });
    }
  } finally {
    await producer.close();
  }
}

/**
 * Reads a topic from the beginning with read_committed until `count` records arrived — or, with `{ distinctIds }`,
 * until that many distinct `id`s did (at-least-once output may repeat some) — or `timeoutMs` passed.
 */
export async function readTopic(
  topic: string,
  count: number | { readonly distinctIds: number },
  timeoutMs = 60_000,
): Promise<KafkaMessage[]> {
  const seen = new Set<number>();
  const enough =
    typeof count === 'number'
      ? (received: readonly KafkaMessage[]) => received.length >= count
      : (received: readonly KafkaMessage[]) => {
          seen.add((JSON.parse(received.at(-1)?.value.toString() ?? '{}') as { id: number }).id);
          return seen.size >= count.distinctIds;
        };
  const consumer = new Consumer({
    clientId: unique('test-reader'),
    groupId: unique('test-reader'),
    bootstrapBrokers: brokers,
    autocommit: false,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    deserializers: { headerKey: stringDeserializer },
  });
  const received: KafkaMessage[] = [];
  const stream = await consumer.consume({
    topics: [topic],
    mode: MessagesStreamModes.EARLIEST,
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
    autocommit: false,
    maxWaitTime: 200,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (Date.now() > deadline) finish();
      }, 200);
      const finish = () => {
        clearInterval(timer);
        resolve();
      };
      stream.on('data', (message: KafkaMessage) => {
        received.push(message);
        if (enough(received)) finish();
      });
    });
    // A little longer, to catch duplicates arriving after the expected count.
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    await stream.close();
    await consumer.close(true);
  }
  return received;
}

/** Ids of JSON records `{ id }`, in the order read. */
export const idsOf = (messages: readonly KafkaMessage[]): number[] =>
  messages.map((m) => (JSON.parse(m.value.toString()) as { id: number }).id);

/** Asserts-free summary of an output: how many records, distinct ids, duplicates, and ids missing from 0..count-1. */
export function audit(messages: readonly KafkaMessage[], count: number) {
  const ids = idsOf(messages);
  const distinct = new Set(ids);
  const missing: number[] = [];
  for (let id = 0; id < count; id++) if (!distinct.has(id)) missing.push(id);
  return { records: ids.length, distinct: distinct.size, duplicates: ids.length - distinct.size, missing };
}

/** Per-key order check: for each key, the `seq` values must increase. Returns the keys out of order. */
export function outOfOrderKeys(messages: readonly KafkaMessage[]): string[] {
  const last = new Map<string, number>();
  const bad = new Set<string>();
  for (const m of messages) {
    const key = m.key?.toString() ?? '';
    const seq = (JSON.parse(m.value.toString()) as { seq: number }).seq;
    if (seq < (last.get(key) ?? -1)) bad.add(key);
    last.set(key, seq);
  }
  return [...bad];
}

/** The `id` of each record whose value is a JSON object with one; others (e.g. invalid JSON in a dead-letter topic) are left out. */
export function parsedIds(messages: readonly KafkaMessage[]): number[] {
  const ids: number[] = [];
  for (const message of messages) {
    try {
      const id = (JSON.parse(message.value.toString()) as { id?: unknown }).id;
      if (typeof id === 'number') ids.push(id);
    } catch {
      // not JSON
    }
  }
  return ids;
}

export interface KcatReadOptions {
  /** Stop once this many distinct `id`s were read (or the timeout passed); without it, read the topic once. */
  readonly distinctIds?: number;
  readonly timeoutMs?: number;
  /** Default `read_committed`. */
  readonly isolation?: 'read_committed' | 'read_uncommitted';
  /** Ends a read that takes longer with what it read so far (kcat stopped): for progress checks, never for verdicts. */
  readonly readAtMostMs?: number;
}

/** Reads a whole topic with kcat (librdkafka, an independent client), again every second until `distinctIds` distinct ids are there. */
export async function kcatRead(brokerList: string, topic: string, options: KcatReadOptions = {}): Promise<KafkaMessage[]> {
  const { execFile } = await import('node:child_process');
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        'kcat',
        ['-C', '-b', brokerList, '-t', topic, '-X', `isolation.level=${options.isolation ?? 'read_committed'}`, '-o', 'beginning', '-e', '-q', '-J'],
        { maxBuffer: 1 << 30, ...(options.readAtMostMs ? { timeout: options.readAtMostMs } : {}) },
        (error, out) => (error && !(options.readAtMostMs && error.killed) ? reject(error) : resolve(out)),
      ),
    );
    // Whole lines only: a read cut short (readAtMostMs) may end within one.
    const messages = stdout
      .split('\n')
      .slice(0, -1)
      .filter(Boolean)
      .map((line) => {
        // kcat -J gives headers as one array of alternating names and values.
        const m = JSON.parse(line) as { topic: string; partition: number; offset: number; key: string | null; payload: string | null; headers?: (string | null)[] };
        const pairs = m.headers ?? [];
        const headers = new Map<string, Buffer>();
        for (let i = 0; i + 1 < pairs.length; i += 2) headers.set(pairs[i] ?? '', Buffer.from(pairs[i + 1] ?? ''));
        return {
          topic: m.topic,
          partition: m.partition,
          offset: BigInt(m.offset),
          key: Buffer.from(m.key ?? ''),
          value: Buffer.from(m.payload ?? ''),
          headers,
        } as unknown as KafkaMessage;
      });
    const wanted = options.distinctIds;
    if (wanted === undefined || Date.now() > deadline || new Set(parsedIds(messages)).size >= wanted) return messages;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/**
 * Reads a topic with read_committed through kcat until `distinctIds` distinct `id`s are there or `timeoutMs` passed.
 * Exactly-once checks use it: an independent reader, so that they do not rest on the client the pipeline reads with
 * (whose read_committed filter this repository patches, docs/dependencies.md).
 */
export const readCommittedWithKcat = (topic: string, distinctIds: number, timeoutMs = 120_000): Promise<KafkaMessage[]> =>
  kcatRead(brokers.join(','), topic, { distinctIds, timeoutMs });

/**
 * The group's committed offsets of `topic`, one per partition in partition order, read with require_stable until they
 * equal `expected` (or satisfy it, given as a predicate) or `timeoutMs` passes (then the last read, for the assertion to show). An exactly-once commit's
 * offsets are left out of a whole-group listing until its transaction markers are written, shortly after it returned.
 */
export async function committedOffsetsOf(
  groupId: string,
  topic: string,
  expected: readonly bigint[] | ((offsets: readonly bigint[]) => boolean),
  timeoutMs = 15_000,
): Promise<bigint[]> {
  const done =
    typeof expected === 'function' ? expected : (offsets: readonly bigint[]) => offsets.length === expected.length && offsets.every((o, i) => o === expected[i]);
  const admin = new Admin({ clientId: unique('test-offsets'), bootstrapBrokers: brokers });
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId], requireStable: true }).catch(() => []);
      const partitions = group?.topics.find((t) => t.name === topic)?.partitions ?? [];
      const offsets = [...partitions].sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => p.committedOffset);
      if (Date.now() >= until || done(offsets)) return offsets;
      await sleep(100);
    }
  } finally {
    await admin.close();
  }
}

/** A logger that keeps the messages it was given: a pipeline's warnings are part of what the user sees. */
export function keepingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const keep = (_fields: unknown, message: string) => void lines.push(message);
  return { lines, debug() {}, info: keep, warn: keep, error: keep };
}
