import type { DroppedRecord } from '../batch.ts';
import { checkWholeNumber } from '../checks.ts';
import { ConfigError } from '../errors.ts';
import type { Envelope } from '../envelope.ts';
import { decodeText } from '../envelope.ts';
import { RetryTopicHeaders, isRetryTopic, retryTopicName } from './naming.ts';

/** Non-blocking retries: the delays of the retry topics a retryable failure goes through, in order, before the dead letter. */
export interface RetryTopicsOptions {
  /** One retry topic per delay, `<topic>-retry-<delayMs>`; after the last one the record is dead-lettered. */
  readonly delaysMs: readonly number[];
}

/** Where a failed record goes next: a retry topic, due at `dueAt` (epoch ms), as its `attempt`-th delivery. */
export interface RetryHop {
  readonly topic: string;
  readonly delayMs: number;
  readonly dueAt: number;
  /** The delivery the retry consumer makes of it: 2 in the first retry topic (Spring's `retry_topic-attempts`). */
  readonly attempt: number;
}

/** Checks the delays: at least one, whole milliseconds, each at least 1 ms, strictly growing (one topic per delay). */
export function checkRetryTopics(options: RetryTopicsOptions, field = 'retryTopics.delaysMs'): RetryTopicsOptions {
  const { delaysMs } = options;
  if (delaysMs.length === 0) throw new ConfigError(field, 'needs at least one delay (e.g. [10000, 60000, 600000])');
  delaysMs.forEach((delay, i) => checkWholeNumber(`${field}[${i}]`, delay, 1));
  for (let i = 1; i < delaysMs.length; i++) {
    if ((delaysMs[i] as number) <= (delaysMs[i - 1] as number)) {
      throw new ConfigError(field, `delays must grow strictly (one retry topic per delay), got ${delaysMs.join(', ')}`);
    }
  }
  return options;
}

/** The retry topics of `topic`, one per delay. */
export const retryTopicsOf = (topic: string, options: RetryTopicsOptions): string[] =>
  options.delaysMs.map((delay) => retryTopicName(topic, delay));

/**
 * How many retry topics the record went through: 0 for a record of its original topic (a replayed dead letter too,
 * whatever headers it carries), else its `retry_topic-attempts` less one.
 */
export function retriesSoFar(record: Envelope<unknown>): number {
  if (!isRetryTopic(record.topic)) return 0;
  const header = record.headers.get(RetryTopicHeaders.attempts);
  const attempts = header ? Number.parseInt(decodeText(header), 10) : Number.NaN;
  return Number.isSafeInteger(attempts) && attempts > 1 ? attempts - 1 : 1;
}

/**
 * The next retry topic of a failed record, or undefined when it goes to the dead-letter topic: a failure that is not
 * retryable (DESERIALIZATION_ERROR, VALIDATION_ERROR, a record the output refuses) goes there at once, a retryable one
 * after the last delay. `originalTopic` is the topic the record was first consumed from.
 */
export function nextRetry(drop: DroppedRecord, originalTopic: string, options: RetryTopicsOptions, now: number): RetryHop | undefined {
  if (!drop.error?.retryable) return undefined;
  const done = retriesSoFar(drop.record);
  const delayMs = options.delaysMs[done];
  if (delayMs === undefined) return undefined;
  return { topic: retryTopicName(originalTopic, delayMs), delayMs, dueAt: now + delayMs, attempt: done + 2 };
}
