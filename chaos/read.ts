// Reading topics back with kcat (librdkafka, an independent client), read_committed by default.
import type { KafkaMessage } from '../adapters/kafka/records.ts';
import { kcatRead, parsedIds } from '../adapters/kafka/testing.ts';
import { groupProgress } from './group-progress.ts';

export { kcatRead, parsedIds };
export type { KcatReadOptions } from '../adapters/kafka/testing.ts';

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
