import type { MessagesStream } from '@platformatic/kafka';
import { SinkError } from '../../core/index.ts';
import type { Clock, TimerHandle } from '../../core/index.ts';
import { readBatch } from './batch-reader.ts';
import type { KafkaMessage } from './records.ts';

type Stream = MessagesStream<Buffer, Buffer, string, Buffer>;

/** No fetch answered for this long while the pipeline waits for records: the stream is reopened (see read). */
export const fetchStallMs = 30_000;
export const stalled = Symbol('stalled');

/**
 * The source's reads, and the watch on them: while the pipeline waits for records and partitions are assigned, a
 * client that has answered no fetch for `fetchStallMs` is taken as stuck (@platformatic/kafka itself drops a fetch
 * whose answer never came only after 120 s, and only on its next fetch, which then never comes): the read waiting on
 * it is aborted. A read is also ended on purpose (`wake`) when the source must reopen its stream at once.
 */
export class FetchWatchdog {
  readonly #clock: Clock;
  /** When the stream last answered a fetch, and when the read waiting now began (monotonic ms). */
  #lastFetchAt = 0;
  #readingSince: number | undefined;
  /** Aborted by the watch, replaced after the read it ended; reads wait on it and the stop signal together. */
  #stall = new AbortController();
  /** Set when the read was ended on purpose to reopen the stream (not a stall of the client). */
  #woken = false;
  #readSignal: AbortSignal | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Runs `tick` each second, then ends a read that has waited too long for a fetch while `assigned()` (a consumer with
   * no partition assigned has nothing to fetch). One timer for the source's life; returns its stop.
   */
  watch(tick: () => void, assigned: () => boolean): () => void {
    const clock = this.#clock;
    let timer: TimerHandle;
    let stopped = false;
    const arm = () => {
      timer = clock.setTimer(() => {
        if (stopped) return;
        try {
          tick();
          const since = this.#readingSince;
          if (since !== undefined && clock.monotonic() - Math.max(since, this.#lastFetchAt) > fetchStallMs && assigned()) this.#stall.abort();
        } finally {
          if (!stopped) arm();
        }
      }, 1_000);
      // A watchdog alone must not keep the process alive (a consumer that dropped the generator without returning it).
      (timer as { unref?: () => void } | undefined)?.unref?.();
    };
    arm();
    return () => {
      stopped = true;
      clock.clearTimer(timer);
    };
  }

  /** A new run of reads (the stop signal may be another one). */
  restart(): void {
    this.#readSignal = undefined;
  }

  /** Counts the stream's fetches from now on. */
  follow(stream: Stream): void {
    this.#lastFetchAt = this.#clock.monotonic();
    stream.on('fetch', () => (this.#lastFetchAt = this.#clock.monotonic()));
  }

  /** readBatch, aborted by `signal` or by the watch; `stalled` when the watch ended a read that got nothing. */
  async read(stream: Stream, limit: number, lingerMs: number, signal: AbortSignal | undefined): Promise<KafkaMessage[] | typeof stalled> {
    const stall = this.#stall.signal;
    this.#readSignal ??= signal ? AbortSignal.any([signal, stall]) : stall;
    this.#readingSince = this.#clock.monotonic();
    try {
      const fetched = await readBatch(stream, limit, lingerMs, this.#readSignal);
      return stall.aborted && !this.#woken && !signal?.aborted && fetched.length === 0 ? stalled : fetched;
    } finally {
      this.#readingSince = undefined;
      if (stall.aborted) {
        this.#woken = false;
        this.#stall = new AbortController();
        this.#readSignal = undefined;
      }
    }
  }

  /** Ends the read waiting now (if any), so that the source sees a rewind at once. */
  wake(): void {
    this.#woken = true;
    this.#stall.abort();
  }

  /**
   * `consuming`, unless the watch gives up on it first (a join that never ends would hold the source for good): then
   * it fails with a retryable error, so the open is tried again, and a stream it yields late is closed.
   */
  unlessWoken(consuming: Promise<Stream>): Promise<Stream> {
    // A wake-up that came before (it asked for this reopen) is spent.
    if (this.#stall.signal.aborted) {
      this.#stall = new AbortController();
      this.#woken = false;
      this.#readSignal = undefined;
    }
    const wake = this.#stall.signal;
    return new Promise<Stream>((resolve, reject) => {
      const onWake = () => {
        consuming.then((late) => late.close().catch(() => {}), () => {});
        reject(new SinkError('kafka consumer did not start consuming before the progress watchdog gave up on it', { retryable: true }));
      };
      wake.addEventListener('abort', onWake, { once: true });
      consuming.then(
        (stream) => {
          wake.removeEventListener('abort', onWake);
          resolve(stream);
        },
        (error: unknown) => {
          wake.removeEventListener('abort', onWake);
          reject(error);
        },
      );
    });
  }
}
