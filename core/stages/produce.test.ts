import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders } from '../dead-letter/headers.ts';
import { positionKey } from '../envelope.ts';
import { memorySink } from '../memory/sink.ts';
import { pipeline } from '../pipeline.ts';
import { singleRecordBatchBytes } from '../record-size.ts';
import { collect, harness, record, text } from '../testing/fixtures.ts';
import { MemoryTracker } from '../tracker/memory-tracker.ts';
import { commit } from './commit.ts';
import { deadLetter } from './dead-letter.ts';
import { produce } from './produce.ts';
import { track } from './track.ts';

const limit = 1_000;
const big = 'x'.repeat(2_000);

describe('produce: records too large for their topic', () => {
  // A loop, not it.each: the core's tests also run under Deno, through a vitest shim without it (scripts/deno).
  for (const failureMode of ['skip-and-log', 'atomic'] as const) {
    it(`${failureMode}: a too-large record fails alone, is dead-lettered with RECORD_TOO_LARGE, and the batch commits`, async () => {
      const { broker, source, clock, recorded } = harness(failureMode);
      broker.createTopic('in', 1);
      broker.append([record('in', 'a', 'small-1'), record('in', 'b', big), record('in', 'c', 'small-2')]);
      // The output topic takes 1,000 bytes per record; the dead-letter topic has no limit.
      const sink = memorySink(broker, { maxRecordBytes: (topic) => (topic === 'out' ? limit : undefined) });
      const tracker = new MemoryTracker({ clock });
      const tracking = track(tracker, { strategy: 'OUTBOX', capturePayload: false });
      const results = await clock.run(
        collect(pipeline(source(['in']), tracking.received, produce(sink, { topic: 'out' }), deadLetter(sink), tracking, commit())),
      );
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ committed: true, ok: 2, dropped: { 'dead-lettered': 1, failed: 0 } });
      expect(broker.records('out').map((r) => text(r.value))).toEqual(['small-1', 'small-2']);
      const [dead, ...more] = broker.records('in-dlq');
      expect(more).toEqual([]);
      expect(text(dead?.value)).toBe(big);
      const header = (name: string) => text(dead?.headers.get(name));
      expect(header(DeadLetterHeaders.code)).toBe('RECORD_TOO_LARGE');
      expect(header(DeadLetterHeaders.category)).toBe('PROCESSING_ERROR');
      expect(header(DeadLetterHeaders.retryable)).toBe('false');
      expect(Number(header(DeadLetterHeaders.recordBytes))).toBe(singleRecordBatchBytes(record('out', 'b', big)));
      expect(header(DeadLetterHeaders.limitBytes)).toBe(String(limit));
      expect(header(DeadLetterHeaders.message)).toContain('topic out');
      expect(dead?.headers.has(DeadLetterHeaders.sourceValueTruncated)).toBe(false);
      expect(broker.committed('test-group', 'in', 0)).toBe(3n);
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 2, FAILED: 1 });
      const [row] = await tracker.get([positionKey('in', 0, 1n)]);
      expect(row).toMatchObject({ status: 'FAILED', category: 'PROCESSING_ERROR' });
      expect(recorded.value('orchestron_records_dead_lettered_total', { topic: 'in', category: 'PROCESSING_ERROR' })).toBe(1);
    });
  }

  it('a record that fits is sent: the limit counts the record as the sink writes it, not more', async () => {
    const { broker, source, clock } = harness('skip-and-log');
    broker.createTopic('in', 1);
    const fits = 'y'.repeat(limit - singleRecordBatchBytes(record('out', 'k', '')));
    broker.append([record('in', 'k', fits), record('in', 'k', `${fits}y`)]);
    const sink = memorySink(broker, { maxRecordBytes: limit });
    const results = await clock.run(collect(pipeline(source(['in']), produce(sink, { topic: 'out' }), deadLetter(sink), commit())));
    expect(results[0]).toMatchObject({ committed: true, ok: 1, dropped: { 'dead-lettered': 1 } });
    expect(broker.records('out').map((r) => r.value?.byteLength)).toEqual([fits.length]);
  });

  it('without a known limit every record is sent as before', async () => {
    const { broker, source, clock } = harness('skip-and-log');
    broker.createTopic('in', 1);
    broker.append([record('in', 'b', big)]);
    const results = await clock.run(collect(pipeline(source(['in']), produce(memorySink(broker), { topic: 'out' }), commit())));
    expect(results[0]).toMatchObject({ committed: true, ok: 1 });
    expect(broker.records('out')).toHaveLength(1);
  });
});

describe('produce: a limit lowered between the sizing and the send', () => {
  it('sizes again, and the record that no longer fits fails alone', async () => {
    const { broker, source, clock } = harness('skip-and-log');
    broker.createTopic('in', 1);
    broker.append([record('in', 'a', 'small'), record('in', 'b', 'x'.repeat(500))]);
    let asked = 0;
    // The stage is told 10,000 bytes the first time; the sink already enforces 300.
    const limit = (topic: string) => (topic === 'out' ? 300 : undefined);
    const inner = memorySink(broker, { maxRecordBytes: limit });
    const sink = { ...inner, maxRecordBytes: async (topic: string) => (asked++ === 0 ? 10_000 : limit(topic)) };
    const results = await clock.run(collect(pipeline(source(['in']), produce(sink, { topic: 'out' }), deadLetter(inner), commit())));
    expect(results[0]).toMatchObject({ committed: true, ok: 1, dropped: { 'dead-lettered': 1 } });
    expect(broker.records('out').map((r) => text(r.value))).toEqual(['small']);
    expect(text(broker.records('in-dlq')[0]?.headers.get(DeadLetterHeaders.code))).toBe('RECORD_TOO_LARGE');
  });
});

describe('produce: an encode that throws', () => {
  for (const failureMode of ['skip-and-log', 'atomic'] as const) {
    it(`${failureMode}: the record fails alone as a PROCESSING_ERROR that is not retried, the others are sent`, async () => {
      const { broker, source, clock, recorded } = harness(failureMode);
      broker.createTopic('in', 1);
      broker.append([record('in', 'a', 'one'), record('in', 'b', 'cannot'), record('in', 'c', 'two')]);
      const sink = memorySink(broker);
      const encode = (value: unknown) => {
        const body = text(value as Uint8Array) ?? '';
        if (body === 'cannot') throw new TypeError('Do not know how to serialize a BigInt');
        return new TextEncoder().encode(body.toUpperCase());
      };
      const results = await clock.run(collect(pipeline(source(['in']), produce(sink, { topic: 'out', encode }), deadLetter(sink), commit())));
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ committed: true, ok: 2, dropped: { 'dead-lettered': 1 } });
      expect(broker.records('out').map((r) => text(r.value))).toEqual(['ONE', 'TWO']);
      const [dead, ...more] = broker.records('in-dlq');
      expect(more).toEqual([]);
      expect(text(dead?.value)).toBe('cannot');
      expect(text(dead?.headers.get(DeadLetterHeaders.category))).toBe('PROCESSING_ERROR');
      expect(text(dead?.headers.get(DeadLetterHeaders.retryable))).toBe('false');
      expect(text(dead?.headers.get(DeadLetterHeaders.message))).toContain('serialize a BigInt');
      expect(broker.committed('test-group', 'in', 0)).toBe(3n);
      expect(recorded.value('orchestron_records_dead_lettered_total', { topic: 'in', category: 'PROCESSING_ERROR' })).toBe(1);
    });
  }

  it('a batch whose every record cannot be encoded sends nothing and commits', async () => {
    const { broker, source, clock } = harness('skip-and-log');
    broker.createTopic('in', 1);
    broker.append([record('in', 'a', 'x'), record('in', 'b', 'y')]);
    const sink = memorySink(broker);
    const encode = () => {
      throw new Error('no encoder');
    };
    const results = await clock.run(collect(pipeline(source(['in']), produce(sink, { topic: 'out', encode }), deadLetter(sink), commit())));
    expect(results[0]).toMatchObject({ committed: true, ok: 0, dropped: { 'dead-lettered': 2 } });
    expect(broker.records('out')).toEqual([]);
    expect(broker.records('in-dlq')).toHaveLength(2);
  });
});
