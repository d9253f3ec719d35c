import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DroppedRecord } from '../batch.ts';
import { pipelineContext } from '../context.ts';
import { DeadLetterHeaders } from '../dead-letter/headers.ts';
import type { Envelope, Headers } from '../envelope.ts';
import { decodeText, encodeText, envelope } from '../envelope.ts';
import { ConfigError, DeserializationError, ProcessingError, TimeoutError, ValidationError } from '../errors.ts';
import { dueTimeOf, retryRecordHeaders } from './headers.ts';
import { RetryTopicHeaders, isRetryTopic, retryTopicName } from './naming.ts';
import { originOf, originalDedupKey } from './origin.ts';
import { checkRetryTopics, nextRetry, retriesSoFar } from './route.ts';

const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: 'orders-app', host: 'h' });
const topicName = fc.stringMatching(/^[a-z][a-z0-9._]{0,20}$/);
const delays = fc.uniqueArray(fc.integer({ min: 1, max: 3_600_000 }), { minLength: 1, maxLength: 5 }).map((d) => [...d].sort((a, b) => a - b));

const failed = (record: Envelope<unknown>, error = new ProcessingError('busy', { retryable: true })): DroppedRecord => ({ record, reason: 'failed', error });
const at = (topic: string, headers: Headers = new Map(), offset = 5n) =>
  envelope({ topic, partition: 1, offset, value: encodeText('{}'), headers, timestamp: 1_000 }, 0);

/** The record the retry consumer reads after `drop` was sent to `hop`'s topic. */
const hopped = (drop: DroppedRecord, hop: { topic: string; attempt: number; dueAt: number }, offset: bigint) =>
  at(hop.topic, retryRecordHeaders(drop, context, hop), offset);

describe('retry topics: naming and routing', () => {
  it('names retry topics like Spring Kafka (suffix with the delay) and recognises them', () => {
    expect(retryTopicName('orders', 10_000)).toBe('orders-retry-10000');
    fc.assert(fc.property(topicName, fc.integer({ min: 1 }), (topic, delay) => isRetryTopic(retryTopicName(topic, delay))));
    expect(isRetryTopic('orders')).toBe(false);
    expect(isRetryTopic('orders-retry')).toBe(false);
  });

  it('walks a retryable failure through every delay in order, then to the dead letter, keeping the original position and key', () => {
    fc.assert(
      fc.property(topicName, delays, fc.integer({ min: 0, max: 2 ** 40 }), (topic, delaysMs, now) => {
        const options = { delaysMs };
        let record = at(topic);
        const original = record.dedupKey;
        for (const [i, delayMs] of delaysMs.entries()) {
          const drop = failed(record);
          const hop = nextRetry(drop, originOf(record).topic, options, now);
          expect(hop).toEqual({ topic: retryTopicName(topic, delayMs), delayMs, dueAt: now + delayMs, attempt: i + 2 });
          record = hopped(drop, hop!, BigInt(100 + i));
          expect(retriesSoFar(record)).toBe(i + 1);
          expect(originOf(record)).toEqual({ topic, partition: '1', offset: '5', timestamp: '1000' });
          expect(originalDedupKey(record)).toBe(original);
          expect(dueTimeOf(record.headers)).toBe(now + delayMs);
        }
        expect(nextRetry(failed(record), topic, options, now)).toBeUndefined();
      }),
    );
  });

  it('sends failures that are not retryable to the dead letter at once, from any hop', () => {
    for (const error of [new DeserializationError('bad'), new ValidationError('invalid'), new ProcessingError('refused', { retryable: false })]) {
      expect(nextRetry(failed(at('orders'), error), 'orders', { delaysMs: [10] }, 0)).toBeUndefined();
    }
    expect(nextRetry(failed(at('orders'), new TimeoutError('slow')), 'orders', { delaysMs: [10] }, 0)?.topic).toBe('orders-retry-10');
  });

  it('treats a record of its original topic as a first delivery whatever retry headers it carries (a replayed dead letter)', () => {
    const replayed = at('orders', new Map([[RetryTopicHeaders.attempts, encodeText('4')], [RetryTopicHeaders.originalTopic, encodeText('elsewhere')]]));
    expect(retriesSoFar(replayed)).toBe(0);
    expect(originOf(replayed).topic).toBe('orders');
    expect(nextRetry(failed(replayed), 'orders', { delaysMs: [10, 20] }, 0)?.attempt).toBe(2);
  });

  it('builds Spring Kafka headers beside the dead-letter ones, naming the original topic and the group that first consumed it', () => {
    const drop = failed(at('orders', new Map([['trace', encodeText('t')]])));
    const first = hopped(drop, { topic: 'orders-retry-10', attempt: 2, dueAt: 42 }, 0n);
    const retryContext = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: 'orders-app-retry', host: 'h' });
    const headers = retryRecordHeaders(failed(first), retryContext, { attempt: 3, dueAt: 99 });
    const get = (name: string) => {
      const value = headers.get(name);
      return value === undefined ? undefined : decodeText(value);
    };
    expect(get('trace')).toBe('t');
    expect(get(RetryTopicHeaders.attempts)).toBe('3');
    expect(get(RetryTopicHeaders.backoffTimestamp)).toBe('99');
    expect(get(RetryTopicHeaders.originalTopic)).toBe('orders');
    expect(get(RetryTopicHeaders.originalOffset)).toBe('5');
    expect(get(RetryTopicHeaders.originalConsumerGroup)).toBe('orders-app');
    expect(get(RetryTopicHeaders.exceptionMessage)).toBe('busy');
    expect(get(RetryTopicHeaders.exceptionClass)).toBe('ProcessingError');
    expect(get(DeadLetterHeaders.sourceTopic)).toBe('orders');
    expect(get(DeadLetterHeaders.sourceOffset)).toBe('5');
    expect(get(DeadLetterHeaders.sourceConsumerGroup)).toBe('orders-app-retry');
    expect(get(DeadLetterHeaders.code)).toBe('PROCESSING_ERROR');
  });

  it('refuses delays that are empty, not whole, below 1 ms or not growing, naming the field', () => {
    expect(checkRetryTopics({ delaysMs: [10, 20] })).toEqual({ delaysMs: [10, 20] });
    for (const delaysMs of [[], [0], [1.5], [20, 10], [10, 10]]) {
      expect(() => checkRetryTopics({ delaysMs })).toThrow(ConfigError);
    }
    expect(() => checkRetryTopics({ delaysMs: [20, 10] })).toThrow(/retryTopics\.delaysMs.*grow/);
  });
});
