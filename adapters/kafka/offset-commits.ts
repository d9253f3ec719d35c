import { SinkError } from '../../core/index.ts';
import { floorKey } from './stable-offsets.ts';

/** The offset to commit for one partition: the next record to read. */
export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly leaderEpoch: number;
}

/**
 * At-least-once offset commits, one request at a time and in order: offsets queued while a request is in flight go
 * together in the next one, so pipelined batches commit in one round trip instead of one each. When a request fails,
 * the offsets queued behind it are not sent: their batches fail too (with a retryable error) and are read again.
 */
export class OffsetCommits {
  readonly #commit: (offsets: PartitionOffset[]) => Promise<void>;
  readonly #queued = new Map<string, PartitionOffset>();
  /** The request the queued offsets will go in; the last request sent or waiting to be. */
  #next: Promise<void> | undefined;
  #last: Promise<void> = Promise.resolve();
  /** Failed requests so far: offsets queued before a failure are not sent after it. */
  #failures = 0;

  constructor(commit: (offsets: PartitionOffset[]) => Promise<void>) {
    this.#commit = commit;
  }

  /** Resolves once a request holding these offsets (or later ones of the same partitions) succeeded. */
  commit(offsets: readonly PartitionOffset[]): Promise<void> {
    for (const offset of offsets) this.#queued.set(floorKey(offset.topic, offset.partition), offset);
    if (this.#next) return this.#next;
    const failures = this.#failures;
    const previous = this.#last;
    const request = (async () => {
      await previous.catch(() => {});
      this.#next = undefined;
      const sending = [...this.#queued.values()];
      this.#queued.clear();
      if (this.#failures !== failures) throw new SinkError('an earlier offset commit failed; this batch will be read again', { retryable: true });
      try {
        await this.#commit(sending);
      } catch (error) {
        this.#failures++;
        throw error;
      }
    })();
    this.#next = request;
    this.#last = request;
    return request;
  }
}
