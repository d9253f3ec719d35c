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
  /** Records whose id is not one of the run's ids. */
  readonly unknown: number;
  /** Records the process sent to its dead-letter topic (and not to the output): accounted, not lost. */
  readonly deadLettered: number;
  /** Records the process filtered out on purpose, as it counted them (orchestron_records_filtered_total). */
  readonly filtered: number;
  /** Records neither delivered, dead-lettered nor filtered. */
  readonly lost: number;
}

/**
 * Accounts for every output record against the ids produced: one byte per id (per input partition: 0 not seen, 1
 * delivered, 2 dead-lettered), and the last sequence seen per (output partition, input partition) for order. Ids carry
 * their input partition and sequence (records.ts), so no payload has to be parsed.
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
  #deadLettered = 0;
  #filtered = 0;

  constructor(messages: number, partitions: number) {
    this.expected = messages;
    this.#partitions = partitions;
    this.#seen = Array.from({ length: partitions }, (_, p) => new Uint8Array(recordsOnPartition(messages, partitions, p)));
  }

  get consumed(): number {
    return this.#consumed;
  }

  /** Every record delivered, dead-lettered or filtered. */
  get complete(): boolean {
    return this.#consumed + this.#deadLettered + this.#filtered >= this.expected;
  }

  /** The process's own count of records it filtered out on purpose (they leave no trace in any topic). */
  set filtered(count: number) {
    this.#filtered = count;
  }

  /** Accounts for one record read from the dead-letter topic; `false` for an id of another run. */
  deadLettered(key: string | null | undefined): boolean {
    const id = parseKey(key);
    const seen = id ? this.#seen[id.partition] : undefined;
    if (!id || !seen || id.seq >= seen.length) return false;
    if (seen[id.seq] === 0) {
      seen[id.seq] = 2;
      this.#deadLettered++;
    }
    return true;
  }

  /** Accounts for one output record read from `outputPartition`, by its id (records.ts). */
  record(outputPartition: number, key: string | null | undefined): Verdict {
    const id = parseKey(key);
    const seen = id ? this.#seen[id.partition] : undefined;
    if (!id || !seen || id.seq >= seen.length) {
      this.#unknown++;
      return 'unknown';
    }
    // Delivered before, or dead-lettered and then delivered as well.
    if (seen[id.seq] !== 0) {
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
      deadLettered: this.#deadLettered,
      filtered: this.#filtered,
      lost: Math.max(0, this.expected - this.#consumed - this.#deadLettered - this.#filtered),
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
