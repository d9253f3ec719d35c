import { describe, expect, it } from 'vitest';
import { json } from '../codecs/json.ts';
import { DeadLetterHeaders } from '../dead-letter/headers.ts';
import { ConfigError, ProcessingError } from '../errors.ts';
import { memorySink } from '../memory/sink.ts';
import { MetricDefinitions } from '../metrics/names.ts';
import { pipeline } from '../pipeline.ts';
import { RetryTopicHeaders } from '../retry-topics/naming.ts';
import { collect, harness, record, text } from '../testing/fixtures.ts';
import { MemoryTracker } from '../tracker/memory-tracker.ts';
import { commit } from './commit.ts';
import { deadLetter } from './dead-letter.ts';
import { decode } from './decode.ts';
import { retryReceived } from './retry-received.ts';
import { track } from './track.ts';
import { transform } from './transform.ts';

type Order = { id: number; failTimes?: number };

/** Fails a record on its first `failTimes` deliveries (the record's attempts). */
const flaky = transform((order: Order, envelope) => {
  if (envelope.attempts <= (order.failTimes ?? 0)) throw new ProcessingError(`order ${order.id} on attempt ${envelope.attempts}`, { retryable: true });
  return order;
}, { timeoutMs: 0, retry: { attempts: 1 } });

describe('deadLetter with retry topics', () => {
  it('sends a retryable failure through each retry topic, the retry consumer back through the transform, and one tracker row to its final status', async () => {
    const { broker, source, clock, recorded } = harness('skip-and-log');
    broker.createTopic('orders', 1);
    broker.append([record('orders', 'a', { id: 1, failTimes: 2 }), record('orders', 'b', { id: 2, failTimes: 9 }), record('orders', 'c', '{broken')]);
    const tracker = new MemoryTracker({ clock });
    const retryTopics = { delaysMs: [10, 20] };
    const stages = (from: string[], retrying: boolean) => {
      const tracking = track<Order>(tracker, { strategy: 'OUTBOX' });
      return pipeline(
        source(from, retrying ? { group: 'test-group-retry' } : {}),
        retrying ? retryReceived() : undefined,
        tracking.received,
        decode(json<Order>()),
        flaky,
        deadLetter(memorySink(broker), { retryTopics }),
        tracking,
        commit(),
      );
    };

    const main = await clock.run(collect(stages(['orders'], false)));
    expect(main[0]).toMatchObject({ committed: true, ok: 0, dropped: { retrying: 2, 'dead-lettered': 1 } });
    expect(broker.records('orders-dlq').map((r) => text(r.value))).toEqual(['{broken']);
    expect(broker.records('orders-retry-10').map((r) => text(r.headers?.get(RetryTopicHeaders.attempts)))).toEqual(['2', '2']);
    const [waiting] = await tracker.get(['orders-0-0']);
    expect(waiting).toMatchObject({ status: 'RETRYING', attempts: 1, category: 'PROCESSING_ERROR' });
    expect(recorded.value(MetricDefinitions.recordsRetried.name, { topic: 'orders', delay: '10' })).toBe(2);

    const rows = async () => (await tracker.get(['orders-0-0', 'orders-0-1'])).map((row) => [row?.status, row?.attempts, row?.topic]);
    await clock.run(collect(stages(['orders-retry-10'], true)));
    expect(await rows()).toEqual([['RETRYING', 2, 'orders'], ['RETRYING', 2, 'orders']]);
    expect(broker.records('orders-retry-20').map((r) => text(r.headers?.get(RetryTopicHeaders.attempts)))).toEqual(['3', '3']);

    const last = await clock.run(collect(stages(['orders-retry-20'], true)));
    expect(last[0]).toMatchObject({ committed: true, ok: 1, dropped: { 'dead-lettered': 1 } });
    expect(await rows()).toEqual([['SUCCESS', 3, 'orders'], ['FAILED', 3, 'orders']]);
    const exhausted = broker.records('orders-dlq').find((r) => text(r.value) !== '{broken');
    expect(text(exhausted?.headers?.get(DeadLetterHeaders.sourceTopic))).toBe('orders');
    expect(text(exhausted?.headers?.get(DeadLetterHeaders.sourceAttempts))).toBe('3');
    expect(recorded.value(MetricDefinitions.recordsRetried.name, { topic: 'orders', delay: '20' })).toBe(2);
    expect(recorded.total(MetricDefinitions.recordsDeadLettered.name)).toBe(2);
  });

  it('is refused in atomic mode, where a retry record would be written outside the transaction', async () => {
    const { broker, source, clock } = harness('atomic');
    broker.createTopic('orders', 1);
    broker.append([record('orders', 'a', { id: 1 })]);
    const run = collect(pipeline(source(['orders']), decode(json<Order>()), flaky, deadLetter(memorySink(broker), { retryTopics: { delaysMs: [10] } }), commit()));
    await expect(clock.run(run)).rejects.toThrow(ConfigError);
  });

  it('dead-letters, whole, a record larger than its retry topic takes: a retry record is never cut', async () => {
    const { broker, source, clock } = harness('skip-and-log');
    broker.createTopic('orders', 1);
    const big = { id: 2, failTimes: 1, pad: 'x'.repeat(3_000) };
    broker.append([record('orders', 'a', { id: 1, failTimes: 1 }), record('orders', 'b', big)]);
    // The retry topic takes 2,000 bytes a record; the dead-letter topic has no limit.
    const sink = memorySink(broker, { maxRecordBytes: (topic) => (topic === 'orders-retry-10' ? 2_000 : undefined) });
    const results = await clock.run(collect(pipeline(source(['orders']), decode(json<Order>()), flaky, deadLetter(sink, { retryTopics: { delaysMs: [10] } }), commit())));
    expect(results[0]).toMatchObject({ committed: true, ok: 0, dropped: { retrying: 1, 'dead-lettered': 1 } });
    expect(broker.records('orders-retry-10').map((r) => (JSON.parse(text(r.value) ?? '') as Order).id)).toEqual([1]);
    const [dead, ...more] = broker.records('orders-dlq');
    expect(more).toEqual([]);
    expect(JSON.parse(text(dead?.value) ?? '')).toEqual(big);
    expect(dead?.headers?.has(DeadLetterHeaders.sourceValueTruncated)).toBe(false);
    expect(dead?.headers?.has(RetryTopicHeaders.attempts)).toBe(false);
  });
});

