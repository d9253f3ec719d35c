import type { DroppedRecord } from '../batch.ts';
import type { PipelineContext } from '../context.ts';
import { deadLetterHeaders } from '../dead-letter/headers.ts';
import type { Headers } from '../envelope.ts';
import { decodeText, encodeText } from '../envelope.ts';
import { RetryTopicHeaders } from './naming.ts';
import { originOf, originalDedupKey } from './origin.ts';

/** The headers of `drop`'s record on its way to a retry topic: the dead-letter headers, then the retry headers. */
export function retryRecordHeaders(drop: DroppedRecord, context: PipelineContext, hop: { readonly attempt: number; readonly dueAt: number }): Headers {
  const headers = new Map(deadLetterHeaders(drop, context));
  const origin = originOf(drop.record);
  const set = (name: string, value: string) => headers.set(name, encodeText(value));
  const H = RetryTopicHeaders;
  set(H.attempts, String(hop.attempt));
  set(H.backoffTimestamp, String(hop.dueAt));
  set(H.originalTimestamp, origin.timestamp);
  set(H.originalTopic, origin.topic);
  set(H.originalPartition, origin.partition);
  set(H.originalOffset, origin.offset);
  // The group that first consumed it: a retry consumer's own group does not replace it.
  if (!headers.has(H.originalConsumerGroup)) set(H.originalConsumerGroup, context.consumerGroup);
  set(H.dedupKey, originalDedupKey(drop.record));
  if (drop.error) {
    set(H.exceptionMessage, drop.error.message.slice(0, 1_024));
    set(H.exceptionClass, drop.error.name);
  }
  return headers;
}

/** The due time a retry record carries (epoch ms), if any. */
export function dueTimeOf(headers: Headers): number | undefined {
  const value = headers.get(RetryTopicHeaders.backoffTimestamp);
  if (value === undefined) return undefined;
  const dueAt = Number(decodeText(value));
  return Number.isFinite(dueAt) ? dueAt : undefined;
}
