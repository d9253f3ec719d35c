import { MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka';
import type { Admin, Consumer, MessagesStream } from '@platformatic/kafka';
import { AuthenticationError, Batch, BatchControl, BreakerOpenError, SinkError, envelope, sleep } from '../../core/index.ts';
import type { Envelope, OrchestronError, PipelineContext, Position, Settlement } from '../../core/index.ts';
import { readBatch } from './batch-reader.ts';
import { closeWithin } from './close-within.ts';
import { kafkaError } from './errors.ts';
import { Narrowing } from './narrowing.ts';
import { PartitionHealth } from './partition-health.ts';
import type { PartitionProblems } from './partition-health.ts';
import { OffsetCommits } from './offset-commits.ts';
import type { PartitionOffset } from './offset-commits.ts';
import type { ResolvedKafkaOptions } from './options.ts';
import type { KafkaMessage } from './records.ts';
import { toRecordInit } from './records.ts';
import type { OffsetRange } from './redeliveries.ts';
import { Redeliveries, partitionRanges } from './redeliveries.ts';
import { floorKey, floorOf, stableCommittedOffsets } from './stable-offsets.ts';
import type { BatchTransactions } from './transactions.ts';

type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;
type Stream = MessagesStream<Buffer, Buffer, string, Buffer>;

/** No fetch answered for this long while the pipeline waits for records: the stream is reopened (see #read). */
const fetchStallMs = 30_000;
const stalled = Symbol('stalled');
/** Longest the source waits for its stream to close (before reading again from the committed offsets). */
const streamCloseDeadlineMs = 10_000;
/** How long the source keeps trying to join its group (each try is the client's own retries) before it gives up. */
const openRetryWindowMs = 60_000;
/** Past the transaction timeout, how long the coordinator may take to abort a timed-out transaction (it checks every 10 s). */
const pendingTransactionMarginMs = 30_000;
/**
 * How long the broker holds a fetch that finds no records (Kafka's `fetch.max.wait.ms`). It answers as soon as one
 * record is there (`fetch.min.bytes` stays 1), so this bounds only how often an idle consumer asks again.
 */
export const fetchMaxWaitMs = 500;
/**
 * A consumer-group source: batches of up to `batchSize` records (waiting at most `lingerMs` to fill one),
 * read with read_committed from the group's committed offsets. Commit sends the offsets (in the batch's transaction in
 * atomic mode); abort rewinds by re-reading from the committed offsets, so the batch's records come again. The
 * consumer's buffer is bounded (`maxBufferedRecords`): when the pipeline is slow the client stops fetching.
 */
export class KafkaSource {
  readonly #consumer: KafkaConsumer;
  readonly #options: ResolvedKafkaOptions;
  readonly #context: PipelineContext;
  readonly #transactions: BatchTransactions | undefined;
  readonly #admin: Admin | undefined;
  readonly #deliveries = new Redeliveries();
  /** Atomic mode: the size of the next batches while a refused record is being isolated. */
  readonly #narrowing: Narrowing;
  /** Atomic mode: stable committed offsets as of the last assignment; undefined when a rebalance made them stale. */
  #floors: Map<string, bigint> | undefined;
  /** The assignments the floors were read for. */
  #floorsFor: unknown;
  /** Per partition, the next offset this stream has not handed out yet; reset whenever the stream is reopened. */
  readonly #handedOut = new Map<string, bigint>();
  /** Atomic mode: the offsets this instance's own transactions committed. */
  readonly #ownCommitted = new Map<string, bigint>();
  /** Counts the group generations this consumer joined: a batch that straddles a rebalance is not committed. */
  #generation = 0;
  #stream: Stream | undefined;
  #rewind = false;
  /** Counts the aborts that sent the source back to its committed offsets. */
  #rewinds = 0;
  #retryAfterMs = 0;
  /** When the stream last answered a fetch, and when the read waiting now began (monotonic ms). */
  #lastFetchAt = 0;
  #readingSince: number | undefined;
  /** Aborted by the fetch watchdog, replaced after the read it ended; reads wait on it and the stop signal together. */
  #stall = new AbortController();
  /** Set when the read was ended on purpose to reopen the stream (not a stall of the client). */
  #woken = false;
  #readSignal: AbortSignal | undefined;
  /** Blocked and stalled partitions (see partition-health.ts). */
  readonly #health: PartitionHealth;
  /** The batch handed out last, until it settles: where a stall is traced to. */
  #inFlight: BatchControl | undefined;
  #nextId = 1;
  /** At-least-once: offsets committed once per commit interval (see offset-commits.ts). */
  readonly #offsetCommits: OffsetCommits;

  constructor(
    consumer: KafkaConsumer,
    options: ResolvedKafkaOptions,
    context: PipelineContext,
    exactlyOnce?: { readonly transactions: BatchTransactions; readonly admin: Admin },
  ) {
    this.#consumer = consumer;
    this.#options = options;
    this.#context = context;
    this.#transactions = exactlyOnce?.transactions;
    this.#admin = exactlyOnce?.admin;
    this.#narrowing = new Narrowing(options.batchSize, context.platform.logger);
    this.#offsetCommits = new OffsetCommits((offsets) => this.#commitOffsets(offsets), { intervalMs: options.commitIntervalMs, clock: context.platform.clock });
    this.#health = new PartitionHealth(context.platform, options.stallTimeoutMs);
    const rebalanced = () => {
      this.#generation++;
      this.#floors = undefined;
    };
    consumer.on('consumer:group:join', rebalanced);
    // The consumer protocol (KIP-848) moves partitions without a join: the client reports a revocation this way, and
    // #aboveFloors sees partitions added.
    consumer.on('consumer:group:rebalance', rebalanced);
  }

  async *batches(signal?: AbortSignal): AsyncGenerator<Batch<Uint8Array | null>> {
    const { logger, clock } = this.#context.platform;
    const unwatch = this.#watchFetches();
    this.#readSignal = undefined;
    try {
      while (!signal?.aborted) {
        if (this.#rewind) await this.#restart(signal);
        const stream = this.#stream ?? (await this.#open(signal));
        // Taken before the fetch: an abort while it waits makes what it returns stale (read from the old positions).
        const rewinds = this.#rewinds;
        const fetched = await this.#read(stream, signal);
        if (fetched === stalled) {
          logger.warn({ group: this.#options.groupId, stalledForMs: fetchStallMs }, 'kafka consumer stopped fetching; reopening it at the committed offsets');
          this.#rewind = true;
          this.#rewinds++;
          continue;
        }
        if (fetched.length === 0) {
          if (stream.errored) await this.#recover(stream.errored, signal);
          else if (stream.destroyed || stream.readableEnded) this.#stream = undefined;
          continue;
        }
        if (!this.#allAssigned(fetched)) {
          // Fetched before a rebalance moved partitions: read again from the committed offsets rather than drop any.
          this.#rewind = true;
          continue;
        }
        const messages = this.#notYetHandedOut(this.#health.admitted(await this.#aboveFloors(fetched)));
        if (messages.length === 0) continue;
        this.#health.handedOut(messages);
        const enteredAt = clock.monotonic();
        const records: Envelope[] = messages.map((message) =>
          envelope({ ...toRecordInit(message), attempts: this.#deliveries.attempts(message.topic, message.partition, message.offset) }, enteredAt),
        );
        const { ranges, last } = partitionRanges(messages);
        const positions: Position[] = last.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset + 1n }));
        // Not linked to `signal`: shutdown stops fetching, while the batch in flight runs to its commit (a drain).
        const control = new BatchControl({ id: this.#nextId++, positions, context: this.#context, settlement: this.#settlement(ranges, last, rewinds, records.length) });
        this.#inFlight = control;
        yield new Batch(control, records);
      }
    } finally {
      unwatch();
      await this.#offsetCommits.flush();
      await this.#closeStream();
      logger.debug({ group: this.#options.groupId }, 'kafka source stopped');
    }
  }

  /**
   * While the pipeline waits for records and partitions are assigned, a client that has answered no fetch for
   * `fetchStallMs` is taken as stuck (@platformatic/kafka itself drops a fetch whose answer never came only after
   * 120 s, and only on its next fetch, which then never comes): the read waiting on it is aborted. One timer for the
   * source's life, checking each second.
   */
  #watchFetches(): () => void {
    const { clock } = this.#context.platform;
    const timer = setInterval(() => {
      if (this.#health.tick(this.#consumer, () => this.#stream, this.#inFlight?.stage ?? 'source (waiting for records)')) this.#reread();
      const since = this.#readingSince;
      if (since === undefined || clock.monotonic() - Math.max(since, this.#lastFetchAt) <= fetchStallMs) return;
      // A consumer with no partition assigned has nothing to fetch.
      if (this.#consumer.assignments?.some((a) => a.partitions.length > 0)) this.#stall.abort();
    }, 1_000);
    // A watchdog alone must not keep the process alive (a consumer that dropped the generator without returning it).
    (timer as { unref?: () => void }).unref?.();
    return () => clearInterval(timer);
  }

  /** readBatch, aborted by `signal` or by the fetch watchdog; `stalled` when the watchdog ended a read that got nothing. */
  async #read(stream: Stream, signal: AbortSignal | undefined): Promise<KafkaMessage[] | typeof stalled> {
    const stall = this.#stall.signal;
    this.#readSignal ??= signal ? AbortSignal.any([signal, stall]) : stall;
    this.#readingSince = this.#context.platform.clock.monotonic();
    try {
      const fetched = await readBatch(stream, this.#narrowing.limit, this.#options.lingerMs, this.#readSignal);
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

  /** What settles a batch; it holds the batch's offset ranges and last messages, not its records. */
  #settlement(ranges: readonly OffsetRange[], last: readonly KafkaMessage[], rewinds: number, size: number): Settlement {
    const generation = this.#generation;
    // Pipelined (at-least-once) batches: one fetched before an abort rewound the source comes again after it.
    const stale = () => this.#rewinds !== rewinds;
    // The partitions may belong to another instance now: committing could duplicate its work. With the consumer
    // protocol a revocation lands without a join, hence the check of the assignment itself.
    const stillOwned = () => {
      if (generation !== this.#generation || !this.#allAssigned(last)) {
        throw new SinkError('the group rebalanced while the batch was in flight; it will be read again', { retryable: true });
      }
    };
    return {
      commit: async (control) => {
        if (stale()) throw new SinkError('an earlier batch was aborted; this one will be read again after it', { retryable: true });
        stillOwned();
        if (this.#transactions && control.context.failureMode === 'atomic') {
          // Checked again when the transaction commits: a rebalance may come while it waits for its interval.
          await this.#transactions.commit(control, last, stillOwned);
          this.#raiseFloors(control.positions);
        } else {
          await this.#offsetCommits.commit(last.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset + 1n, leaderEpoch: m.leaderEpoch })));
        }
        this.#deliveries.committed(ranges);
        this.#narrowing.committed();
        this.#health.committed(control.positions);
        if (this.#inFlight === control) this.#inFlight = undefined;
      },
      abort: async (control, error: OrchestronError) => {
        if (this.#inFlight === control) this.#inFlight = undefined;
        if (stale()) {
          if (this.#transactions) await this.#transactions.abort(control, error);
          return;
        }
        this.#deliveries.aborted(ranges);
        this.#health.aborted(error);
        if (this.#transactions) this.#narrowing.aborted(size, error);
        this.#rewind = true;
        this.#rewinds++;
        this.#retryAfterMs = error instanceof BreakerOpenError ? error.retryAfterMs : 0;
        // At-least-once the source may be waiting for more records meanwhile: the aborted ones must not wait for them.
        this.#wake();
        if (this.#transactions) await this.#transactions.abort(control, error);
      },
    };
  }

  /**
   * Offsets waited for the interval: those of partitions that moved to another instance meanwhile are left out (their
   * records were processed here; the new owner reads them again, which at-least-once allows, rather than have an older
   * offset overwrite its progress).
   */
  async #commitOffsets(offsets: readonly PartitionOffset[]): Promise<void> {
    const owned = this.#ownedPartitions();
    const sending = offsets.filter((o) => owned.has(floorKey(o.topic, o.partition)));
    if (sending.length === 0) return;
    try {
      await this.#consumer.commit({ offsets: sending });
    } catch (error) {
      throw kafkaError(error, 'commit offsets', 'source');
    }
  }

  /** Blocked and stalled partitions, for readiness. */
  problems(): PartitionProblems {
    return this.#health.problems();
  }

  /** Reopens the stream at the committed offsets (blocked partitions tried again, a stall recovered). */
  #reread(): void {
    this.#rewind = true;
    this.#rewinds++;
    this.#wake();
  }

  /** Ends the read waiting now (if any), so that the loop sees a rewind at once. */
  #wake(): void {
    this.#woken = true;
    this.#stall.abort();
  }

  /**
   * After a rebalance the client re-reads partitions from their committed offsets on its own, so the stream can
   * repeat records it already gave us. Within one stream, each offset is handed to the pipeline once.
   */
  #notYetHandedOut(messages: readonly KafkaMessage[]): KafkaMessage[] {
    const kept: KafkaMessage[] = [];
    for (const message of messages) {
      const key = floorKey(message.topic, message.partition);
      if (message.offset < (this.#handedOut.get(key) ?? -1n)) continue;
      this.#handedOut.set(key, message.offset + 1n);
      kept.push(message);
    }
    return kept;
  }

  /** Whether every record belongs to a partition assigned here now. */
  #allAssigned(messages: readonly KafkaMessage[]): boolean {
    if (!this.#consumer.assignments) return false;
    const owned = this.#ownedPartitions();
    return messages.every((m) => owned.has(floorKey(m.topic, m.partition)));
  }

  #ownedPartitions(): Set<string> {
    return new Set((this.#consumer.assignments ?? []).flatMap((a) => a.partitions.map((p) => floorKey(a.topic, p))));
  }

  /**
   * Transactional offsets become visible to a plain offset fetch only once the commit markers are written, after the
   * commit returned, so a rewind or a rebalance right after can read from the old offset. Our own commits are
   * remembered as floors too, and survive rebalances (they stay lower bounds of what is committed).
   */
  #raiseFloors(positions: readonly Position[]): void {
    for (const { topic, partition, offset } of positions) {
      if (offset > floorOf(this.#ownCommitted, topic, partition)) this.#ownCommitted.set(floorKey(topic, partition), offset);
    }
  }

  /** Atomic mode: drops records a previous owner of their partition already committed (see stable-offsets.ts). */
  async #aboveFloors(messages: KafkaMessage[]): Promise<KafkaMessage[]> {
    if (!this.#admin) return messages;
    // The client replaces its assignments list whenever they change, with either protocol.
    if (this.#floorsFor !== this.#consumer.assignments) {
      this.#floorsFor = this.#consumer.assignments;
      this.#floors = undefined;
    }
    this.#floors ??= await stableCommittedOffsets(this.#admin, this.#options.groupId, {
      // A transaction left open by a crashed instance holds its offsets until the coordinator times it out.
      deadlineMs: this.#options.transactionTimeoutMs + pendingTransactionMarginMs,
      logger: this.#context.platform.logger,
    });
    const floors = this.#floors;
    const own = this.#ownCommitted;
    const kept = messages.filter(
      (m) => m.offset >= floorOf(floors, m.topic, m.partition) && m.offset >= floorOf(own, m.topic, m.partition),
    );
    if (kept.length < messages.length) {
      this.#context.platform.logger.info({ skipped: messages.length - kept.length }, 'skipped records below the stable committed offsets');
    }
    return kept;
  }

  async #open(signal?: AbortSignal): Promise<Stream> {
    const { clock, logger } = this.#context.platform;
    const giveUpAt = clock.monotonic() + openRetryWindowMs;
    for (let attempt = 1; ; attempt++) {
      try {
        // Before the group is joined: the stable offsets read after it wait for the transaction a predecessor left open.
        await this.#transactions?.claim();
        this.#stream = await this.#unlessWoken(this.#consumer.consume({
          topics: [...this.#options.topics],
          mode: MessagesStreamModes.COMMITTED,
          fallbackMode: this.#options.fromBeginning ? MessagesStreamFallbackModes.EARLIEST : MessagesStreamFallbackModes.LATEST,
          autocommit: false,
          maxWaitTime: fetchMaxWaitMs,
          highWaterMark: this.#options.maxBufferedRecords,
          maxBytes: this.#options.fetchMaxBytes,
          maxBytesPerPartition: this.#options.fetchMaxBytesPerPartition,
        }));
        break;
      } catch (error) {
        const failure = kafkaError(error, `consume ${this.#options.topics.join(', ')}`, 'source');
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
    this.#lastFetchAt = clock.monotonic();
    this.#stream.on('fetch', () => (this.#lastFetchAt = clock.monotonic()));
    this.#stream.on('readable', () => {});
    this.#stream.on('error', (error) => this.#context.platform.logger.warn({ error: String(error) }, 'kafka consumer stream error'));
    return this.#stream;
  }

  /**
   * `consuming`, unless the progress watchdog gives up on it first (a join that never ends would hold the source for
   * good): then it fails with a retryable error, so the open is tried again, and a stream it yields late is closed.
   */
  #unlessWoken(consuming: Promise<Stream>): Promise<Stream> {
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

  /** After an abort: drop what is buffered and read again from the committed offsets (after a breaker's wait). */
  async #restart(signal: AbortSignal | undefined): Promise<void> {
    this.#rewind = false;
    // Batches finished before the abort keep their progress: reading again starts after them.
    await this.#offsetCommits.flush();
    await this.#closeStream();
    if (this.#retryAfterMs > 0) await sleep(this.#context.platform.clock, this.#retryAfterMs, signal).catch(() => {});
  }

  async #recover(error: Error, signal: AbortSignal | undefined): Promise<void> {
    const failure = kafkaError(error, 'consumer stream', 'source');
    if (failure instanceof AuthenticationError) throw failure;
    this.#context.platform.logger.warn({ error: failure.message }, 'kafka consumer stream failed; reopening');
    await this.#closeStream();
    await sleep(this.#context.platform.clock, 1_000, signal).catch(() => {});
  }

  async #closeStream(): Promise<void> {
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
    if (outcome !== 'closed') this.#context.platform.logger.warn({ group: this.#options.groupId, afterMs: streamCloseDeadlineMs }, 'kafka consumer stream did not close; destroyed it');
  }
}
