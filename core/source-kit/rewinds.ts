import { SinkError } from '../errors.ts';

/**
 * Counts a source's rewinds (or one partition's): the times it went back to its committed offsets to read again. A
 * batch keeps the count it was read at; once the count moved, the batch was read before an abort sent records back,
 * so it is stale: it must not commit (it would pass the aborted records), and its records come again anyway.
 */
export class Rewinds {
  #count = 0;

  /** The count now: take it before reading a batch (an abort while the read waits makes what it returns stale). */
  get count(): number {
    return this.#count;
  }

  rewound(): void {
    this.#count++;
  }

  /** Whether a batch read at `count` is stale. */
  staleSince(count: number): boolean {
    return this.#count !== count;
  }
}

/** Why a stale batch does not commit: retryable, since its records are read again. */
export const staleBatchError = (): SinkError =>
  new SinkError('an earlier batch was aborted; this one will be read again after it', { retryable: true });
