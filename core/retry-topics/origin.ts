import type { Envelope } from '../envelope.ts';
import { decodeText } from '../envelope.ts';
import { RetryTopicHeaders, isRetryTopic } from './naming.ts';

/** Where a record was first consumed: its own position, or, read from a retry topic, the original one its headers carry. */
export interface Origin {
  readonly topic: string;
  readonly partition: string;
  readonly offset: string;
  readonly timestamp: string;
}

export function originOf(record: Envelope<unknown>): Origin {
  const own = (): Origin => ({
    topic: record.topic,
    partition: String(record.partition),
    offset: record.offset.toString(),
    timestamp: String(record.timestamp),
  });
  if (!isRetryTopic(record.topic)) return own();
  const H = RetryTopicHeaders;
  const [topic, partition, offset, timestamp] = [H.originalTopic, H.originalPartition, H.originalOffset, H.originalTimestamp].map((name) => {
    const value = record.headers.get(name);
    return value === undefined ? undefined : decodeText(value);
  });
  if (topic === undefined || partition === undefined || offset === undefined) return own();
  return { topic, partition, offset, timestamp: timestamp ?? String(record.timestamp) };
}

/** The record's original dedup key (carried by a retry record), else its own. */
export function originalDedupKey(record: Envelope<unknown>): string {
  const carried = isRetryTopic(record.topic) ? record.headers.get(RetryTopicHeaders.dedupKey) : undefined;
  return carried === undefined ? record.dedupKey : decodeText(carried);
}

