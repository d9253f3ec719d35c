import { partitionKey } from './partition-key.ts';

/** The offsets of one partition that one batch handed out, first to last. */
export interface OffsetRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: bigint;
  readonly to: bigint;
}

/**
 * How many times each record has been delivered: 1, plus one for each aborted batch that held it. Aborted batches are
 * kept as offset ranges per partition rather than a count per record, so that a batch in flight holds no per-record
 * state for this and, while nothing was aborted, a record costs one check.
 */
export class Redeliveries {
  readonly #aborted = new Map<string, OffsetRange[]>();

  attempts(topic: string, partition: number, offset: bigint): number {
    if (this.#aborted.size === 0) return 1;
    let attempts = 1;
    for (const range of this.#aborted.get(partitionKey(topic, partition)) ?? []) if (offset >= range.from && offset <= range.to) attempts++;
    return attempts;
  }

  /** The batch that handed out these ranges was aborted: its records come again. */
  aborted(ranges: readonly OffsetRange[]): void {
    for (const range of ranges) {
      const key = partitionKey(range.topic, range.partition);
      this.#aborted.set(key, [...(this.#aborted.get(key) ?? []), range]);
    }
  }

  /** The batch that handed out these ranges was committed: aborted ranges at or below them are done with. */
  committed(ranges: readonly OffsetRange[]): void {
    if (this.#aborted.size === 0) return;
    for (const range of ranges) {
      const key = partitionKey(range.topic, range.partition);
      const left = (this.#aborted.get(key) ?? []).filter((aborted) => aborted.to > range.to);
      if (left.length > 0) this.#aborted.set(key, left);
      else this.#aborted.delete(key);
    }
  }
}

/** Each partition's range of `messages`, and the message with its highest offset (whose offset + 1 the batch commits). */
export function partitionRanges<M extends { readonly topic: string; readonly partition: number; readonly offset: bigint }>(
  messages: readonly M[],
): { readonly ranges: OffsetRange[]; readonly last: M[] } {
  const byPartition = new Map<string, { first: M; last: M }>();
  // Messages come in runs of one partition: each run looks its partition up once.
  let seen: { first: M; last: M } | undefined;
  for (const message of messages) {
    if (!seen || message.partition !== seen.first.partition || message.topic !== seen.first.topic) {
      const key = partitionKey(message.topic, message.partition);
      seen = byPartition.get(key);
      if (!seen) {
        seen = { first: message, last: message };
        byPartition.set(key, seen);
        continue;
      }
    }
    if (message.offset > seen.last.offset) seen.last = message;
    else if (message.offset < seen.first.offset) seen.first = message;
  }
  const ranges: OffsetRange[] = [];
  const last: M[] = [];
  for (const { first, last: final } of byPartition.values()) {
    ranges.push({ topic: first.topic, partition: first.partition, from: first.offset, to: final.offset });
    last.push(final);
  }
  return { ranges, last };
}
