import type { DroppedRecord } from '../batch.ts';
import type { PipelineContext } from '../context.ts';
import type { Headers } from '../envelope.ts';
import { encodeText } from '../envelope.ts';
import { cachedBy } from '../bounded-cache.ts';
import { RecordTooLargeError, categoryOf } from '../errors.ts';
import { originOf } from '../retry-topics/origin.ts';

/**
 * Headers added to a dead-lettered record, beside its original headers. The `source_*` names follow Karafka's DLQ and
 * the source-topic/partition/offset trio of Kafka Streams' KIP-1034; see docs/dead-letter.md.
 */
export const DeadLetterHeaders = {
  sourceTopic: 'source_topic',
  sourcePartition: 'source_partition',
  sourceOffset: 'source_offset',
  sourceTimestamp: 'source_timestamp',
  sourceConsumerGroup: 'source_consumer_group',
  sourceHost: 'source_host',
  sourceAttempts: 'source_attempts',
  category: 'error_category',
  retryable: 'error_retryable',
  code: 'error_code',
  message: 'error_message',
  firstFailureAt: 'error_first_failure_at',
  lastFailureAt: 'error_last_failure_at',
  attempts: 'error_attempts',
  /** RECORD_TOO_LARGE: the refused record's size as the sink writes it, and the most its topic takes. */
  recordBytes: 'error_record_bytes',
  limitBytes: 'error_limit_bytes',
  /** Set when the dead letter's value was cut to fit the dead-letter topic: the original value's size, and `true`. */
  sourceValueBytes: 'source_value_bytes',
  sourceValueTruncated: 'source_value_truncated',
} as const;

/** Longest error message carried in a header, in characters. */
export const maxErrorMessageLength = 1_024;

const bounded = (text: string): string =>
  text.length <= maxErrorMessageLength ? text : `${text.slice(0, maxErrorMessageLength - 1)}…`;

let lastIso: { readonly epochMs: number; readonly bytes: Uint8Array } = { epochMs: Number.NaN, bytes: new Uint8Array(0) };

/** ISO-8601 bytes of a failure time; the records of a batch mostly fail in the same millisecond, so the last is kept. */
function iso(epochMs = 0): Uint8Array {
  if (epochMs !== lastIso.epochMs) lastIso = { epochMs, bytes: encodeText(new Date(epochMs).toISOString()) };
  return lastIso.bytes;
}

/** Bytes of values that repeat from one dead letter to the next (topic, partition, group, host, category, code). */
const encodeRepeated = cachedBy(encodeText, 512);

/**
 * The record's own headers, then the dead-letter context (which wins on a name clash). A record read from a retry
 * topic names its original topic, partition and offset in `source_*`, so that replay republishes it there.
 */
export function deadLetterHeaders(dropped: DroppedRecord, context: PipelineContext): Headers {
  const { record, error } = dropped;
  const headers = new Map(record.headers);
  const set = (name: string, value: string) => headers.set(name, encodeText(value));
  const setRepeated = (name: string, value: string) => headers.set(name, encodeRepeated(value));
  const H = DeadLetterHeaders;
  const origin = originOf(record);
  setRepeated(H.sourceTopic, origin.topic);
  setRepeated(H.sourcePartition, origin.partition);
  set(H.sourceOffset, origin.offset);
  set(H.sourceTimestamp, origin.timestamp);
  setRepeated(H.sourceConsumerGroup, context.consumerGroup);
  setRepeated(H.sourceHost, context.host);
  setRepeated(H.sourceAttempts, String(record.attempts));
  if (error) {
    setRepeated(H.category, categoryOf(error));
    setRepeated(H.retryable, String(error.retryable));
    setRepeated(H.code, error.code);
    set(H.message, bounded(error.message));
    if (error instanceof RecordTooLargeError) {
      set(H.recordBytes, String(error.bytes));
      set(H.limitBytes, String(error.limitBytes));
    }
  }
  headers.set(H.firstFailureAt, iso(dropped.firstFailureAt));
  headers.set(H.lastFailureAt, iso(dropped.lastFailureAt));
  if (dropped.attempts !== undefined) setRepeated(H.attempts, String(dropped.attempts));
  return headers;
}
