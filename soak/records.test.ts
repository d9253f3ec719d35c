import { describe, expect, it } from 'vitest';
import { VALUE_BYTES, keyOf, parseKey, recordIdOf, recordsOnPartition, valueOf } from './records.ts';

describe('soak records', () => {
  it('spreads records round-robin over the partitions, each with its own sequence', () => {
    expect([0, 1, 5, 6, 13].map((i) => recordIdOf(i, 6))).toEqual([
      { partition: 0, seq: 0 },
      { partition: 1, seq: 0 },
      { partition: 5, seq: 0 },
      { partition: 0, seq: 1 },
      { partition: 1, seq: 2 },
    ]);
  });

  it('counts the records of each partition so that they add up to the total', () => {
    for (const total of [0, 1, 5, 6, 7, 1_000_001]) {
      const counts = Array.from({ length: 6 }, (_, p) => recordsOnPartition(total, 6, p));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
    }
  });

  it('round-trips ids through keys and rejects keys that are not ids', () => {
    expect(parseKey(keyOf({ partition: 3, seq: 41 }))).toEqual({ partition: 3, seq: 41 });
    for (const key of [null, undefined, '', 'x-1', '1-', '-1', '1-2.5', 'abc']) expect(parseKey(key)).toBeUndefined();
  });

  it('writes JSON values of exactly VALUE_BYTES bytes that carry the id', () => {
    for (const id of [{ partition: 0, seq: 0 }, { partition: 5, seq: 123_456_789 }]) {
      const value = valueOf(id);
      expect(Buffer.byteLength(value)).toBe(VALUE_BYTES);
      expect(JSON.parse(value)).toMatchObject({ id: keyOf(id), partition: id.partition, seq: id.seq });
    }
  });
});
