import { dueTimeOf } from '../../core/index.ts';
import type { Clock, Headers, SourcePartition } from '../../core/index.ts';
import type { KafkaMessage } from './records.ts';
import { floorKey } from './stable-offsets.ts';

/** Longest a due partition waits for the batches in flight to settle before it is read again all the same. */
export const releaseGraceMs = 5_000;

interface Hold extends SourcePartition {
  readonly dueAt: number;
}

/**
 * The retry consumer's gate (`holdUntilDue`): a record whose due time (`retry_topic-backoff-timestamp`) is still ahead
 * holds its partition from that record on — none of its records are handed out, so nothing is committed past it —
 * while the other partitions flow. Nothing sleeps: once the due time has come the partition is released and the
 * source reads it again from its committed offset. The client keeps fetching a held partition (it has no
 * per-partition pause); what it fetches is dropped here and read again after the release.
 */
export class DueGate {
  readonly #clock: Clock;
  readonly #holds = new Map<string, Hold>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The records the pipeline may have now: those due, up to the first one of its partition that is not. */
  admitted(messages: readonly KafkaMessage[]): KafkaMessage[] {
    const now = this.#clock.now();
    const kept: KafkaMessage[] = [];
    for (const message of messages) {
      const key = floorKey(message.topic, message.partition);
      if (this.#holds.has(key)) continue;
      const dueAt = dueTimeOf(message.headers as Headers);
      if (dueAt !== undefined && dueAt > now) {
        this.#holds.set(key, { topic: message.topic, partition: message.partition, dueAt });
        continue;
      }
      kept.push(message);
    }
    return kept;
  }

  /** Whether the partition is held until a record of it is due. */
  holds(topic: string, partition: number): boolean {
    return this.#holds.has(floorKey(topic, partition));
  }

  /**
   * Releases the partitions whose record is due; true when there were any (they are to be read again). Reading again
   * reopens the stream at the committed offsets, so a batch in flight would be read and processed again: while one
   * is (`idle` false), a due partition waits, up to `releaseGraceMs` past its due time.
   */
  release(idle = true): boolean {
    const now = this.#clock.now();
    let released = false;
    for (const [key, hold] of this.#holds) {
      if (hold.dueAt > now || (!idle && hold.dueAt + releaseGraceMs > now)) continue;
      this.#holds.delete(key);
      released = true;
    }
    return released;
  }

  /** Forgets partitions no longer assigned here (their new owner holds them itself). */
  retain(assigned: ReadonlySet<string>): void {
    for (const key of this.#holds.keys()) if (!assigned.has(key)) this.#holds.delete(key);
  }

  /** The partitions held now, and until when (epoch ms). */
  list(): Hold[] {
    return [...this.#holds.values()];
  }
}
