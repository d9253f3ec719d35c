import type { TrackEntry } from '../../core/index.ts';

/** One pipeline batch's worth of records, as every store benchmark moves per call. */
export const storeBatch = 500;

/** Fresh tracker entries for call number `round`: a batch of 500 over 6 partitions, offsets never reused. */
export const trackEntries = (round: number): TrackEntry[] =>
  Array.from({ length: storeBatch }, (_, i) => ({
    dedupKey: `orders-${i % 6}-${round * storeBatch + i}`,
    topic: 'orders',
    partition: i % 6,
    offset: BigInt(round * storeBatch + i),
    attempts: 1,
  }));

/** Fresh dedup keys for call number `round`. */
export const dedupKeys = (round: number): string[] => Array.from({ length: storeBatch }, (_, i) => `ord-${round}-${i}`);
