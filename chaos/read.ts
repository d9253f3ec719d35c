// Reading topics back with kcat (librdkafka, an independent client), read_committed by default.
import { execFile } from 'node:child_process';
import type { KafkaMessage } from '../adapters/kafka/records.ts';
import { groupProgress } from './group-progress.ts';

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
  /** Stop once this many distinct `id`s were read (or the timeout passed). */
  readonly distinctIds?: number;
  readonly timeoutMs?: number;
  /** Default `read_committed`. */
  readonly isolation?: 'read_committed' | 'read_uncommitted';
}

/** Reads a whole topic with kcat (librdkafka), again every second until `distinctIds` distinct ids are there. */
export async function kcatRead(brokers: string, topic: string, options: KcatReadOptions = {}): Promise<KafkaMessage[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        'kcat',
        ['-C', '-b', brokers, '-t', topic, '-X', `isolation.level=${options.isolation ?? 'read_committed'}`, '-o', 'beginning', '-e', '-q', '-J'],
        { maxBuffer: 1 << 30 },
        (error, out) => (error ? reject(error) : resolve(out)),
      ),
    );
    const messages = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const m = JSON.parse(line) as { topic: string; partition: number; offset: number; key: string | null; payload: string | null };
        return {
          topic: m.topic,
          partition: m.partition,
          offset: BigInt(m.offset),
          key: Buffer.from(m.key ?? ''),
          value: Buffer.from(m.payload ?? ''),
          headers: new Map(),
        } as unknown as KafkaMessage;
      });
    const wanted = options.distinctIds;
    if (wanted === undefined || Date.now() > deadline) return messages;
    if (new Set(parsedIds(messages)).size >= wanted) return messages;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** `partition:offset` → id of each record of a topic (read once, after producing the input). */
export async function idsByPosition(brokers: string, topic: string): Promise<Map<string, number>> {
  const index = new Map<string, number>();
  for (const message of await kcatRead(brokers, topic)) {
    const [id] = parsedIds([message]);
    if (id !== undefined) index.set(`${message.partition}:${message.offset}`, id);
  }
  return index;
}

export interface AwaitOutputOptions {
  readonly group: string;
  readonly input: string;
  readonly partitions: number;
  readonly timeoutMs: number;
}

/**
 * Reads the output with kcat until it holds `count` distinct ids — or until the group has committed the whole input
 * and the output still lacks some (they were skipped: waiting longer would not bring them), or the timeout passed.
 */
export async function awaitOutput(brokers: string, output: string, count: number, options: AwaitOutputOptions): Promise<KafkaMessage[]> {
  const deadline = Date.now() + options.timeoutMs;
  let caughtUpSince: number | undefined;
  for (;;) {
    const messages = await kcatRead(brokers, output);
    if (new Set(parsedIds(messages)).size >= count || Date.now() > deadline) return messages;
    const progress = await groupProgress(brokers, options.group, options.input, options.partitions).catch(() => []);
    const caughtUp = progress.length === options.partitions && progress.every((p) => p.committed === p.end);
    caughtUpSince = caughtUp ? (caughtUpSince ?? Date.now()) : undefined;
    if (caughtUpSince !== undefined && Date.now() - caughtUpSince > 5_000) return messages;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
