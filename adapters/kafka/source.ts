import type { Admin, Consumer } from '@platformatic/kafka';
import { Batch, BatchControl, envelope, partitionRanges, traceReceived } from '../../core/index.ts';
import type { Envelope, PipelineContext, Position } from '../../core/index.ts';
import { FetchWatchdog, fetchStallMs, stalled } from './fetch-watchdog.ts';
import { GroupGenerations } from './group-generations.ts';
import { Narrowing } from './narrowing.ts';
import { OffsetFloors } from './offset-floors.ts';
import { PartitionHealth } from './partition-health.ts';
import type { PartitionProblems } from './partition-health.ts';
import type { PartitionLag } from './consumer-lag.ts';
import type { ResolvedKafkaOptions } from './options.ts';
import { toRecordInit } from './records.ts';
import { SourceSettlement } from './source-settlement.ts';
import { SourceStream } from './source-stream.ts';
import type { BatchTransactions } from './transactions.ts';

type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;

/**
 * A consumer-group source: batches of up to `batchSize` records (waiting at most `lingerMs` to fill one),
 * read with read_committed from the group's committed offsets. Commit sends the offsets (in the batch's transaction in
 * atomic mode); abort rewinds by re-reading from the committed offsets, so the batch's records come again. The
 * consumer's buffer is bounded (`maxBufferedRecords`): when the pipeline is slow the client stops fetching.
 *
 * Its parts: the stream and its rewinds (source-stream.ts), the fetch watchdog (fetch-watchdog.ts), group generations
 * (group-generations.ts), atomic mode's offset floors (offset-floors.ts) and settlement (source-settlement.ts).
 */
export class KafkaSource {
  readonly #consumer: KafkaConsumer;
  readonly #options: ResolvedKafkaOptions;
  readonly #context: PipelineContext;
  /** Atomic mode: the size of the next batches while a refused record is being isolated. */
  readonly #narrowing: Narrowing;
  readonly #fetches: FetchWatchdog;
  readonly #generations: GroupGenerations;
  /** Atomic mode: what previous owners and this instance already committed. */
  readonly #floors: OffsetFloors | undefined;
  readonly #stream: SourceStream;
  readonly #settlement: SourceSettlement;
  /** Blocked and stalled partitions (see partition-health.ts). */
  readonly #health: PartitionHealth;
  /** The batch handed out last, until it settles: where a stall is traced to. */
  #inFlight: BatchControl | undefined;
  #nextId = 1;

  constructor(
    consumer: KafkaConsumer,
    options: ResolvedKafkaOptions,
    context: PipelineContext,
    exactlyOnce?: { readonly transactions: BatchTransactions; readonly admin: Admin },
  ) {
    this.#consumer = consumer;
    this.#options = options;
    this.#context = context;
    const { platform } = context;
    this.#narrowing = new Narrowing(options.batchSize, platform.logger);
    this.#health = new PartitionHealth(platform, options);
    this.#fetches = new FetchWatchdog(platform.clock);
    this.#floors = exactlyOnce ? new OffsetFloors(exactlyOnce.admin, consumer, options, platform) : undefined;
    this.#generations = new GroupGenerations(consumer, () => this.#floors?.rebalanced());
    this.#stream = new SourceStream({
      consumer,
      options,
      platform,
      fetches: this.#fetches,
      transactions: exactlyOnce?.transactions,
      flushCommits: () => this.#settlement.flush(),
    });
    this.#settlement = new SourceSettlement({
      consumer,
      clock: platform.clock,
      commitIntervalMs: options.commitIntervalMs,
      stream: this.#stream,
      generations: this.#generations,
      narrowing: this.#narrowing,
      health: this.#health,
      exactlyOnce: exactlyOnce && this.#floors ? { transactions: exactlyOnce.transactions, floors: this.#floors } : undefined,
      settled: (control) => {
        if (this.#inFlight === control) this.#inFlight = undefined;
      },
    });
  }

  async *batches(signal?: AbortSignal): AsyncGenerator<Batch<Uint8Array | null>> {
    const { logger, clock } = this.#context.platform;
    const unwatch = this.#fetches.watch(
      () => {
        const inFlight = this.#inFlight;
        if (this.#health.tick(this.#consumer, () => this.#stream.current, inFlight?.stage ?? 'source (waiting for records)', inFlight === undefined)) this.#stream.reread();
      },
      () => this.#consumer.assignments?.some((a) => a.partitions.length > 0) ?? false,
    );
    this.#fetches.restart();
    try {
      while (!signal?.aborted) {
        if (this.#stream.rewindAsked) await this.#stream.restart(signal);
        const stream = this.#stream.current ?? (await this.#stream.open(signal));
        // Taken before the fetch: an abort while it waits makes what it returns stale (read from the old positions).
        const readAt = this.#stream.rewinds.count;
        const fetched = await this.#fetches.read(stream, this.#narrowing.limit, this.#options.lingerMs, signal);
        if (fetched === stalled) {
          logger.warn({ group: this.#options.groupId, stalledForMs: fetchStallMs }, 'kafka consumer stopped fetching; reopening it at the committed offsets');
          this.#stream.stalled();
          continue;
        }
        if (fetched.length === 0) {
          await this.#stream.emptyRead(stream, signal);
          continue;
        }
        if (!this.#generations.allAssigned(fetched)) {
          this.#stream.movedUnderRead();
          continue;
        }
        const aboveFloors = await (this.#floors ? this.#floors.above(fetched) : fetched);
        const messages = this.#stream.notYetHandedOut(this.#health.admitted(aboveFloors));
        if (messages.length === 0) continue;
        this.#health.handedOut(messages);
        const enteredAt = clock.monotonic();
        const records: Envelope[] = messages.map((message) =>
          envelope({ ...toRecordInit(message), attempts: this.#settlement.attempts(message.topic, message.partition, message.offset) }, enteredAt),
        );
        const { ranges, last } = partitionRanges(messages);
        const positions: Position[] = last.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset + 1n }));
        // Not linked to `signal`: shutdown stops fetching, while the batch in flight runs to its commit (a drain); its
        // stages see it as `stopping`, to cut retries' backoffs short.
        const control = new BatchControl({
          id: this.#nextId++,
          positions,
          context: this.#context,
          settlement: this.#settlement.of(ranges, last, readAt, records.length),
          stopping: signal,
        });
        this.#inFlight = control;
        traceReceived(control, records);
        yield new Batch(control, records);
      }
    } finally {
      unwatch();
      this.#health.stopped();
      await this.#settlement.flush();
      await this.#stream.close();
      logger.debug({ group: this.#options.groupId }, 'kafka source stopped');
    }
  }

  /** Blocked and stalled partitions, for readiness. */
  problems(): PartitionProblems {
    return this.#health.problems();
  }

  /** The consumer lag of the partitions assigned here, as last measured. */
  lag(): PartitionLag[] {
    return this.#health.lag();
  }
}
