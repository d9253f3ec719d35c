import { parseKey, recordsOnPartition } from './records.ts';

export type Verdict = 'new' | 'duplicate' | 'out-of-order' | 'unknown';

/** What the verifier has seen so far. */
export interface AuditCounts {
  readonly expected: number;
  /** Distinct records seen (each expected id once at most). */
  readonly consumed: number;
  /** Records delivered more than once (every delivery after the first). */
  readonly duplicated: number;
  /** First deliveries that came after a higher sequence of the same input partition in the same output partition. */
  readonly outOfOrder: number;
  /** Records whose key is not one of the run's ids. */
  readonly unknown: number;
  readonly lost: number;
}

/**
 * Accounts for every output record against the ids produced: one bit per id (a bitmap per input partition), and the
 * last sequence seen per (output partition, input partition) for order. Keys are produced with their input partition
 * and sequence in them (records.ts), so no payload has to be parsed.
 */
export class Audit {
  readonly expected: number;
  readonly #seen: Uint8Array[];
  readonly #last = new Map<number, number>();
  readonly #partitions: number;
  #consumed = 0;
  #duplicated = 0;
  #outOfOrder = 0;
  #unknown = 0;

  constructor(messages: number, partitions: number) {
    this.expected = messages;
    this.#partitions = partitions;
    this.#seen = Array.from({ length: partitions }, (_, p) => new Uint8Array(recordsOnPartition(messages, partitions, p)));
  }

  get consumed(): number {
    return this.#consumed;
  }

  get complete(): boolean {
    return this.#consumed >= this.expected;
  }

  /** Accounts for one output record read from `outputPartition`. */
  record(outputPartition: number, key: string | null | undefined): Verdict {
    const id = parseKey(key);
    const seen = id ? this.#seen[id.partition] : undefined;
    if (!id || !seen || id.seq >= seen.length) {
      this.#unknown++;
      return 'unknown';
    }
    if (seen[id.seq] === 1) {
      this.#duplicated++;
      return 'duplicate';
    }
    seen[id.seq] = 1;
    this.#consumed++;
    const lane = outputPartition * this.#partitions + id.partition;
    const last = this.#last.get(lane) ?? -1;
    if (id.seq < last) {
      this.#outOfOrder++;
      return 'out-of-order';
    }
    this.#last.set(lane, id.seq);
    return 'new';
  }

  counts(): AuditCounts {
    return {
      expected: this.expected,
      consumed: this.#consumed,
      duplicated: this.#duplicated,
      outOfOrder: this.#outOfOrder,
      unknown: this.#unknown,
      lost: this.expected - this.#consumed,
    };
  }

  /** Up to `limit` ids never seen, for the report. */
  missing(limit = 20): string[] {
    const ids: string[] = [];
    for (let p = 0; p < this.#seen.length && ids.length < limit; p++) {
      const seen = this.#seen[p] as Uint8Array;
      for (let seq = seen.indexOf(0); seq >= 0 && ids.length < limit; seq = seen.indexOf(0, seq + 1)) ids.push(`${p}-${seq}`);
    }
    return ids;
  }
}
