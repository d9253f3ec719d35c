import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redeliveries, partitionRanges } from './redeliveries.ts';

const message = (partition: number, offset: number) => ({ topic: 't', partition, offset: BigInt(offset) });

describe('Redeliveries', () => {
  it('counts a record once per aborted batch that held it, and forgets batches once a later one commits', () => {
    const deliveries = new Redeliveries();
    expect(deliveries.attempts('t', 0, 5n)).toBe(1);
    deliveries.aborted([{ topic: 't', partition: 0, from: 0n, to: 9n }]);
    deliveries.aborted([{ topic: 't', partition: 0, from: 0n, to: 4n }]);
    expect([0n, 4n, 5n, 9n, 10n].map((o) => deliveries.attempts('t', 0, o))).toEqual([3, 3, 2, 2, 1]);
    expect(deliveries.attempts('t', 1, 0n)).toBe(1);
    deliveries.committed([{ topic: 't', partition: 0, from: 0n, to: 4n }]);
    expect([5n, 9n].map((o) => deliveries.attempts('t', 0, o))).toEqual([2, 2]);
    deliveries.committed([{ topic: 't', partition: 0, from: 5n, to: 9n }]);
    expect(deliveries.attempts('t', 0, 9n)).toBe(1);
  });

  it('gives the same counts as a count per record, for any run of delivered, aborted and committed batches', () => {
    // A partition's records are read in offset order; an abort rewinds to the last committed offset.
    const steps = fc.array(fc.record({ partition: fc.integer({ min: 0, max: 2 }), size: fc.integer({ min: 1, max: 5 }), aborts: fc.boolean() }), { maxLength: 40 });
    fc.assert(
      fc.property(steps, (run) => {
        const deliveries = new Redeliveries();
        const perRecord = new Map<string, number>();
        const next = [0, 0, 0];
        for (const { partition, size, aborts } of run) {
          const from = next[partition] as number;
          const batch = Array.from({ length: size }, (_, i) => message(partition, from + i));
          for (const m of batch) expect(deliveries.attempts(m.topic, m.partition, m.offset)).toBe(perRecord.get(`${partition}:${m.offset}`) ?? 1);
          const { ranges } = partitionRanges(batch);
          if (aborts) {
            deliveries.aborted(ranges);
            for (const m of batch) perRecord.set(`${partition}:${m.offset}`, (perRecord.get(`${partition}:${m.offset}`) ?? 1) + 1);
          } else {
            deliveries.committed(ranges);
            for (const m of batch) perRecord.delete(`${partition}:${m.offset}`);
            next[partition] = from + size;
          }
        }
      }),
    );
  });
});

describe('partitionRanges', () => {
  it('gives each partition its first and last offset, and the message with the last', () => {
    const messages = [message(1, 7), message(0, 3), message(1, 8), message(0, 4), message(1, 9)];
    const { ranges, last } = partitionRanges(messages);
    expect(ranges).toEqual([
      { topic: 't', partition: 1, from: 7n, to: 9n },
      { topic: 't', partition: 0, from: 3n, to: 4n },
    ]);
    expect(last).toEqual([messages[4], messages[3]]);
  });

  it('agrees with a plain per-message reading for any order of topics, partitions and offsets', () => {
    const anyMessage = fc.record({ topic: fc.constantFrom('a', 'b'), partition: fc.integer({ min: 0, max: 2 }), offset: fc.bigInt({ min: 0n, max: 50n }) });
    fc.assert(
      fc.property(fc.array(anyMessage, { maxLength: 40 }), (messages) => {
        const expected = new Map<string, { from: bigint; to: bigint }>();
        for (const m of messages) {
          const key = `${m.topic}/${m.partition}`;
          const range = expected.get(key);
          expected.set(key, range ? { from: range.from < m.offset ? range.from : m.offset, to: range.to > m.offset ? range.to : m.offset } : { from: m.offset, to: m.offset });
        }
        const { ranges, last } = partitionRanges(messages);
        expect(new Map(ranges.map((r) => [`${r.topic}/${r.partition}`, { from: r.from, to: r.to }]))).toEqual(expected);
        expect(ranges).toHaveLength(expected.size);
        expect(last.map((m) => m.offset)).toEqual(ranges.map((r) => r.to));
      }),
    );
  });
});

