import { MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka';
import type { Consumer, MessagesStream } from '@platformatic/kafka';
import { AuthenticationError, Rewinds, sleep } from '../../core/index.ts';
import type { Platform } from '../../core/index.ts';
import { closeWithin } from './close-within.ts';
import { consumeStream } from './consume-stream.ts';
import { kafkaError } from './errors.ts';
import type { FetchWatchdog } from './fetch-watchdog.ts';
import type { ResolvedKafkaOptions } from './options.ts';
import type { KafkaMessage } from './records.ts';
import { floorKey } from './stable-offsets.ts';
import type { BatchTransactions } from './transactions.ts';

type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;
export type Stream = MessagesStream<Buffer, Buffer, string, Buffer>;

/** Longest the source waits for its stream to close (before reading again from the committed offsets). */
const streamCloseDeadlineMs = 10_000;
/** How long the source keeps trying to join its group (each try is the client's own retries) before it gives up. */
const openRetryWindowMs = 60_000;
/**
 * How long the broker holds a fetch that finds no records (Kafka's `fetch.max.wait.ms`). It answers as soon as one
 * record is there (`fetch.min.bytes` stays 1), so this bounds only how often an idle consumer asks again.
 */
export const fetchMaxWaitMs = 500;

export interface SourceStreamDeps {
  readonly consumer: KafkaConsumer;
  readonly options: ResolvedKafkaOptions;
  readonly platform: Platform;
  readonly fetches: FetchWatchdog;
  /** Atomic mode: the transactional id is claimed before each open. */
  readonly transactions: BatchTransactions | undefined;
  /** Sends the offsets of batches finished so far, before a rewind reads from the committed offsets. */
  readonly flushCommits: () => Promise<void>;
}

/**
 * The consumer's message stream, and its rewinds: the source reads from the group's committed offsets, and goes back
 * to them (closes the stream, opens a new one) after an abort, a stall, a rebalance that moved partitions under a
 * read, or when blocked partitions are tried again. `rewinds` counts the rewinds that make batches read before them
 * stale (see the source kit's Rewinds).
 */
export class SourceStream {
  readonly rewinds = new Rewinds();
  readonly #deps: SourceStreamDeps;
  #stream: Stream | undefined;
  #rewind = false;
  #retryAfterMs = 0;
  /** Per partition, the next offset this stream has not handed out yet; reset whenever the stream is reopened. */
  readonly #handedOut = new Map<string, bigint>();

  constructor(deps: SourceStreamDeps) {
    this.#deps = deps;
  }

  /** The stream open now, if any. */
  get current(): Stream | undefined {
    return this.#stream;
  }

  /**
   * Whether a rewind was asked for: then `restart` before reading. The source checks this, takes the stream and takes
   * the rewind count in one go (no await between them), so a batch read from a stream an abort made old is stale.
   */
  get rewindAsked(): boolean {
    return this.#rewind;
  }

  /** An aborted batch's records come again, after `retryAfterMs` (the rewind is counted by the settlement). */
  rewindAfterAbort(retryAfterMs: number): void {
    this.#rewind = true;
    this.#retryAfterMs = retryAfterMs;
    // At-least-once the source may be waiting for more records meanwhile: the aborted ones must not wait for them.
    this.#deps.fetches.wake();
  }

  /** Reopens the stream at the committed offsets (blocked partitions tried again, a stall recovered). */
  reread(): void {
    this.#rewind = true;
    this.rewinds.rewound();
    this.#deps.fetches.wake();
  }

  /** The client stopped fetching: the next read reopens the stream. */
  stalled(): void {
    this.#rewind = true;
    this.rewinds.rewound();
  }

  /** Fetched before a rebalance moved partitions: read again from the committed offsets rather than drop any. */
  movedUnderRead(): void {
    this.#rewind = true;
  }

  /** A read that returned nothing: the stream may have failed (reopened after a pause) or ended. */
  async emptyRead(stream: Stream, signal: AbortSignal | undefined): Promise<void> {
    if (stream.errored) await this.#recover(stream.errored, signal);
    else if (stream.destroyed || stream.readableEnded) this.#stream = undefined;
  }

  /**
   * After a rebalance the client re-reads partitions from their committed offsets on its own, so the stream can
   * repeat records it already gave us. Within one stream, each offset is handed to the pipeline once.
   */
  notYetHandedOut(messages: readonly KafkaMessage[]): KafkaMessage[] {
    const kept: KafkaMessage[] = [];
    // Messages come in runs of one partition: its floor is read at the start of a run and written back at its end.
    let topic: string | undefined;
    let partition = -1;
    let key = '';
    let floor = -1n;
    for (const message of messages) {
      if (message.partition !== partition || message.topic !== topic) {
        if (topic !== undefined) this.#handedOut.set(key, floor);
        topic = message.topic;
        partition = message.partition;
        key = floorKey(topic, partition);
        floor = this.#handedOut.get(key) ?? -1n;
      }
      if (message.offset < floor) continue;
      floor = message.offset + 1n;
      kept.push(message);
    }
    if (topic !== undefined) this.#handedOut.set(key, floor);
    return kept;
  }

  /** Opens the stream at the group's committed offsets (joining the group first, if need be). */
  async open(signal?: AbortSignal): Promise<Stream> {
    const { consumer, options, platform, fetches, transactions } = this.#deps;
    const { clock, logger } = platform;
    const giveUpAt = clock.monotonic() + openRetryWindowMs;
    let stream: Stream;
    for (let attempt = 1; ; attempt++) {
      try {
        // Before the group is joined: the stable offsets read after it wait for the transaction a predecessor left open.
        await transactions?.claim();
        stream = await fetches.unlessWoken(consumeStream(consumer, {
          topics: [...options.topics],
          mode: MessagesStreamModes.COMMITTED,
          fallbackMode: options.fromBeginning ? MessagesStreamFallbackModes.EARLIEST : MessagesStreamFallbackModes.LATEST,
          autocommit: false,
          maxWaitTime: fetchMaxWaitMs,
          highWaterMark: options.maxBufferedRecords,
          maxBytes: options.fetchMaxBytes,
          maxBytesPerPartition: options.fetchMaxBytesPerPartition,
        }, (error) => logger.warn({ error: String(error) }, 'kafka consumer stream error')));
        this.#stream = stream;
        break;
      } catch (error) {
        const failure = kafkaError(error, `consume ${options.topics.join(', ')}`, 'source');
        // A coordinator still loading or a broker restarting outlasts the client's own retries; refused credentials or
        // a fenced producer never get better, and neither does anything after the window.
        if (!failure.retryable || signal?.aborted || clock.monotonic() >= giveUpAt) throw failure;
        const waitMs = Math.min(1_000 * 2 ** (attempt - 1), 10_000);
        logger.warn({ error: failure.message, attempt, retryInMs: waitMs }, 'kafka consumer could not join its group; retrying');
        await sleep(clock, waitMs, signal).catch(() => {});
        if (signal?.aborted) throw failure;
      }
    }
    // Keeps a 'readable' listener for the stream's life: when readBatch removes its own last one, Node resets
    // readableFlowing to null, and the client's stream skips fetching then, so after an idle spell it never fetched again.
    fetches.follow(stream);
    stream.on('readable', () => {});
    return stream;
  }

  /** After an abort: drop what is buffered and read again from the committed offsets (after a breaker's wait). */
  async restart(signal: AbortSignal | undefined): Promise<void> {
    this.#rewind = false;
    // Batches finished before the abort keep their progress: reading again starts after them.
    await this.#deps.flushCommits();
    await this.close();
    if (this.#retryAfterMs > 0) await sleep(this.#deps.platform.clock, this.#retryAfterMs, signal).catch(() => {});
  }

  async #recover(error: Error, signal: AbortSignal | undefined): Promise<void> {
    const failure = kafkaError(error, 'consumer stream', 'source');
    if (failure instanceof AuthenticationError) throw failure;
    this.#deps.platform.logger.warn({ error: failure.message }, 'kafka consumer stream failed; reopening');
    await this.close();
    await sleep(this.#deps.platform.clock, 1_000, signal).catch(() => {});
  }

  async close(): Promise<void> {
    const stream = this.#stream;
    this.#stream = undefined;
    this.#handedOut.clear();
    if (!stream || stream.closed) return;
    // The client's close waits for the stream to end; one that never does must not hold the source (and its watchdog's
    // recovery) for good: the stream is destroyed after a while.
    const outcome = await closeWithin(
      () => stream.close(),
      async () => void stream.destroy(),
      streamCloseDeadlineMs,
    ).catch(() => 'closed' as const);
    if (outcome !== 'closed') this.#deps.platform.logger.warn({ group: this.#deps.options.groupId, afterMs: streamCloseDeadlineMs }, 'kafka consumer stream did not close; destroyed it');
  }
}
