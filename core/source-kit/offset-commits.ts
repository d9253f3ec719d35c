import type { Position } from '../batch.ts';
import { SinkError } from '../errors.ts';
import type { Clock } from '../platform.ts';
import { partitionKey } from './partition-key.ts';

export interface OffsetCommitsOptions {
  /** Least time between two requests; 0 sends as soon as the request before has been answered. */
  readonly intervalMs: number;
  readonly clock: Clock;
}

/**
 * A source's offset commits, one request at a time, in order, and at most one per `intervalMs`: offsets queued
 * meanwhile go together in the next request, newest per partition, so batches finished within an interval commit in
 * one round trip. When a request fails, the offsets queued behind it are not sent: their batches fail too (with a
 * retryable error) and are read again, so a commit never passes unfinished work. `flush` sends what is queued without
 * waiting for the interval (before a rewind or a stop, so that finished batches are not read again). `O` is a
 * Position plus whatever the source's own commit request needs per partition (Kafka: the leader epoch).
 */
export class OffsetCommits<O extends Position = Position> {
  readonly #commit: (offsets: O[]) => Promise<void>;
  readonly #intervalMs: number;
  readonly #clock: Clock | undefined;
  readonly #queued = new Map<string, O>();
  /** The request the queued offsets will go in; the last request sent or waiting to be. */
  #next: Promise<void> | undefined;
  #last: Promise<void> = Promise.resolve();
  /** Failed requests so far: offsets queued before a failure are not sent after it. */
  #failures = 0;
  #lastSentAt = -Infinity;
  /** Set by `flush` until the queued offsets are sent; ends the wait for the interval. */
  #hurry = false;
  #wake: (() => void) | undefined;

  constructor(commit: (offsets: O[]) => Promise<void>, options?: OffsetCommitsOptions) {
    this.#commit = commit;
    this.#intervalMs = options?.intervalMs ?? 0;
    this.#clock = options?.clock;
  }

  /** Resolves once a request holding these offsets (or later ones of the same partitions) succeeded. */
  commit(offsets: readonly O[]): Promise<void> {
    for (const offset of offsets) this.#queued.set(partitionKey(offset.topic, offset.partition), offset);
    if (this.#next) return this.#next;
    const failures = this.#failures;
    const previous = this.#last;
    const request = (async () => {
      await previous.catch(() => {});
      await this.#due();
      this.#next = undefined;
      this.#hurry = false;
      const sending = [...this.#queued.values()];
      this.#queued.clear();
      if (this.#failures !== failures) throw new SinkError('an earlier offset commit failed; this batch will be read again', { retryable: true });
      this.#lastSentAt = this.#clock?.monotonic() ?? 0;
      try {
        if (sending.length > 0) await this.#commit(sending);
      } catch (error) {
        this.#failures++;
        throw error;
      }
    })();
    this.#next = request;
    this.#last = request;
    return request;
  }

  /** Sends the queued offsets now; resolves once every request so far was answered (failures included). */
  async flush(): Promise<void> {
    if (this.#next) {
      this.#hurry = true;
      this.#wake?.();
    }
    await this.#last.catch(() => {});
  }

  /** Waits until `intervalMs` after the last request was sent, unless a flush asks for it now. */
  async #due(): Promise<void> {
    const clock = this.#clock;
    if (!clock || this.#hurry) return;
    const waitMs = this.#lastSentAt + this.#intervalMs - clock.monotonic();
    if (waitMs <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = clock.setTimer(() => this.#wake?.(), waitMs);
      this.#wake = () => {
        this.#wake = undefined;
        clock.clearTimer(timer);
        resolve();
      };
    });
  }
}
