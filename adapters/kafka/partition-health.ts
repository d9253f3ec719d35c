import { FetchIsolationLevels } from '@platformatic/kafka';
import type { Consumer, MessagesStream } from '@platformatic/kafka';
import { DeadLetterRefusedError, TimeoutError, isOrchestronError, messageOf, withDeadline } from '../../core/index.ts';
import type { OrchestronError, Platform, Position, SourcePartition } from '../../core/index.ts';
import { ConsumerLag } from './consumer-lag.ts';
import type { PartitionLag } from './consumer-lag.ts';
import { DueGate } from './due-gate.ts';
import { brokerCodes } from './errors.ts';
import type { PartitionBlock } from './partition-blocks.ts';
import { PartitionBlocks } from './partition-blocks.ts';
import type { PartitionStall } from './progress-watchdog.ts';
import { ProgressWatchdog } from './progress-watchdog.ts';
import type { ResolvedKafkaOptions } from './options.ts';
import type { KafkaMessage } from './records.ts';
import { floorKey } from './stable-offsets.ts';

type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;
type Offsets = Map<string, bigint[]>;
/** ListOffsets' timestamp for a partition's log start offset. */
const earliestOffset = -2n;
type Stream = MessagesStream<Buffer, Buffer, string, Buffer>;

/** What readiness reports of the source's partitions: those stopped on purpose, and those stuck. */
export interface PartitionProblems {
  readonly blocked: readonly PartitionBlock[];
  readonly stalled: readonly PartitionStall[];
}

/** Longest a probe may take, and how often quiet partitions are probed at most. */
const probeTimeoutMs = 10_000;
const probeEveryMs = 10_000;

/**
 * The source's view of its partitions' health: partitions blocked because their dead letters cannot be written (see
 * PartitionBlocks), partitions that stopped making progress (see ProgressWatchdog), and the consumer lag of the
 * partitions assigned (see ConsumerLag). The source reports what it reads and commits, and calls `tick` once a second;
 * `tick` answers whether the stream must be reopened at the committed offsets (blocked partitions to try again, a
 * stall to recover from). One probe asks the broker for what the stall watchdog and the lag both need.
 */
export class PartitionHealth {
  readonly #platform: Platform;
  readonly #blocks: PartitionBlocks;
  readonly #watchdog: ProgressWatchdog;
  readonly #lag: ConsumerLag;
  /** A retry consumer's partitions held until their next record is due (`holdUntilDue`). */
  readonly #gate: DueGate | undefined;
  readonly #stallTimeoutMs: number;
  /** Where a partition without committed offset starts: its lag counts from the log start, or is not known. */
  readonly #fromBeginning: boolean;
  #probing = false;
  /** A probe asked for a quiet reopen of the stream (see ProgressWatchdog.probed); the next tick answers it. */
  #reopen = false;
  #probedAt = Number.NEGATIVE_INFINITY;
  /** When the source last had a stream open (it has none while it reopens one). */
  #streamSeenAt = Number.NEGATIVE_INFINITY;
  /** Since when no partition has been assigned here, and whether that was logged. */
  #unassignedSince: number | undefined;
  #unassignedLogged = false;

  constructor(
    platform: Platform,
    { stallTimeoutMs, lagIntervalMs, fromBeginning, holdUntilDue }: Pick<ResolvedKafkaOptions, 'stallTimeoutMs' | 'lagIntervalMs' | 'fromBeginning' | 'holdUntilDue'>,
  ) {
    this.#gate = holdUntilDue ? new DueGate(platform.clock) : undefined;
    this.#platform = platform;
    this.#stallTimeoutMs = stallTimeoutMs;
    this.#fromBeginning = fromBeginning;
    this.#blocks = new PartitionBlocks(platform);
    this.#watchdog = new ProgressWatchdog(platform, stallTimeoutMs);
    this.#lag = new ConsumerLag(platform, lagIntervalMs);
  }

  /**
   * The records the pipeline may have: none of a blocked partition (nothing is committed past its refused records), and
   * with `holdUntilDue` none of a partition from its first record not yet due.
   */
  admitted(messages: readonly KafkaMessage[]): KafkaMessage[] {
    const unblocked = this.#blocks.size === 0 ? (messages as KafkaMessage[]) : messages.filter((m) => !this.#blocks.holds(m.topic, m.partition));
    return this.#gate ? this.#gate.admitted(unblocked) : unblocked;
  }

  /** Stopped on purpose, so neither stalled nor quiet: blocked, or held until a record is due. */
  #held = (topic: string, partition: number): boolean => this.#blocks.has(topic, partition) || (this.#gate?.holds(topic, partition) ?? false);

  /** Records handed to the pipeline. */
  handedOut(messages: readonly KafkaMessage[]): void {
    for (const m of messages) this.#watchdog.fetched(m.topic, m.partition, m.offset + 1n);
  }

  committed(positions: readonly Position[]): void {
    for (const { topic, partition, offset } of positions) {
      this.#watchdog.committed(topic, partition, offset);
      this.#blocks.committed(topic, partition);
    }
  }

  /** A batch was aborted: dead letters refused for good block the partitions they came from. */
  aborted(error: OrchestronError): void {
    if (!(error instanceof DeadLetterRefusedError)) return;
    const cause = error.cause;
    // The metric's label: the broker's code (MESSAGE_TOO_LARGE, TOPIC_AUTHORIZATION_FAILED), else the sink's own.
    const reason = brokerCodes(error)[0] ?? (isOrchestronError(cause) ? cause.code : error.code);
    this.#blocks.block(error.partitions, reason, error.message);
  }

  /**
   * Once a second: follows the assignment, reminds of blocked partitions, releases held ones now due, looks for stalls (`lastStage`: where the
   * batch in flight is) and asks the broker about quiet partitions. True when the stream must be reopened. `idle`: no
   * batch is in flight (see DueGate.release).
   */
  tick(consumer: KafkaConsumer, currentStream: () => Stream | undefined, lastStage: string, idle = true): boolean {
    const assignments = consumer.assignments;
    const now = this.#platform.clock.monotonic();
    if (currentStream()) this.#streamSeenAt = now;
    if (assignments) {
      const assigned = assignments.flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })));
      const keys = new Set(assigned.map((p) => floorKey(p.topic, p.partition)));
      this.#blocks.retain(keys);
      this.#gate?.retain(keys);
      this.#watchdog.assigned(assigned);
      this.#lag.assigned(assigned);
    }
    this.#watchAssignment((assignments ?? []).some((a) => a.partitions.length > 0), now);
    this.#blocks.remind();
    const retry = this.#blocks.due().length > 0;
    const released = this.#gate?.release(idle) ?? false;
    const recover = this.#watchdog.check(lastStage, this.#held).length > 0;
    const quiet = this.#watchdog.quiet(this.#held);
    const quietDue = quiet.length > 0 && now - this.#probedAt >= probeEveryMs;
    const lagDue = this.#lag.due();
    if (!this.#probing && (quietDue || lagDue)) {
      if (quietDue) this.#probedAt = now;
      void this.#probe(consumer, currentStream, quietDue ? quiet : [], lagDue ? this.#lag.measuring() : []);
    }
    const reopen = this.#reopen;
    this.#reopen = false;
    return retry || released || recover || reopen;
  }

  /**
   * An instance without partitions for the stall timeout says so once (the watchdog has nothing to watch then): more
   * instances than partitions, or a group membership lost and not regained. Readiness reports it all along.
   */
  #watchAssignment(hasPartitions: boolean, now: number): void {
    const { logger } = this.#platform;
    if (hasPartitions) {
      if (this.#unassignedLogged) logger.info({ withoutForMs: Math.round(now - (this.#unassignedSince ?? now)) }, 'partitions assigned to this instance again');
      this.#unassignedSince = undefined;
      this.#unassignedLogged = false;
      return;
    }
    this.#unassignedSince ??= now;
    if (this.#unassignedLogged || this.#stallTimeoutMs <= 0 || now - this.#unassignedSince < this.#stallTimeoutMs) return;
    this.#unassignedLogged = true;
    logger.warn(
      { forMs: Math.round(now - this.#unassignedSince) },
      'no partition assigned to this instance for the stall timeout (more instances than partitions, or its group membership was lost)',
    );
  }

  problems(): PartitionProblems {
    return { blocked: this.#blocks.list(), stalled: this.#watchdog.list() };
  }

  /** The consumer lag of the partitions assigned here, as last measured. */
  lag(): PartitionLag[] {
    return this.#lag.list();
  }

  /** The source stopped: it holds no partition any more, so it reports no lag. */
  stopped(): void {
    this.#lag.assigned([]);
  }

  /**
   * Where the group stands on each of `measured`: its committed offset, or for a partition it never committed, the log
   * start offset when the group starts there (`fromBeginning`; otherwise -1, unknown). Undefined when the broker did
   * not answer: the lag waits for the next measurement, the stall probe it shares a request with does not.
   */
  async #committed(consumer: KafkaConsumer, measured: readonly SourcePartition[]): Promise<Offsets | undefined> {
    try {
      const committed = await consumer.listCommittedOffsets({ topics: byTopic(measured) });
      const uncommitted = measured.filter(({ topic, partition }) => (committed.get(topic)?.[partition] ?? -1n) < 0n);
      if (!this.#fromBeginning || uncommitted.length === 0) return committed;
      const starts = await consumer.listOffsets({ topics: [...new Set(uncommitted.map((p) => p.topic))], timestamp: earliestOffset });
      for (const { topic, partition } of uncommitted) {
        const start = starts.get(topic)?.[partition];
        const offsets = committed.get(topic) ?? [];
        if (start !== undefined) offsets[partition] = start;
        committed.set(topic, offsets);
      }
      return committed;
    } catch (error) {
      this.#platform.logger.debug({ error: messageOf(error) }, "could not ask kafka for the group's committed offsets (consumer lag)");
      return undefined;
    }
  }

  /**
   * Asks the broker for the last stable offsets of the partitions `quiet` and `measured` are on, and the group's
   * committed offsets of `measured`. For the consumer lag of `measured`; and for each quiet partition, whether the
   * broker holds records the client has not fetched: its last stable offset against the stream's fetch position (both
   * count transaction markers; the committed offset does not).
   */
  async #probe(
    consumer: KafkaConsumer,
    currentStream: () => Stream | undefined,
    quiet: readonly SourcePartition[],
    measured: readonly SourcePartition[],
  ): Promise<void> {
    this.#probing = true;
    try {
      const topics = [...new Set([...quiet, ...measured].map((p) => p.topic))];
      const [ends, committed] = await withDeadline(
        this.#platform.clock,
        probeTimeoutMs,
        () =>
          Promise.all([
            consumer.listOffsets({ topics, isolationLevel: FetchIsolationLevels.READ_COMMITTED }),
            measured.length > 0 ? this.#committed(consumer, measured) : undefined,
          ]),
        () => new TimeoutError(`kafka did not answer a list offsets request within ${probeTimeoutMs} ms`),
      );
      if (committed) {
        this.#lag.measured(
          measured.map(({ topic, partition }) => ({ topic, partition, lastStable: ends.get(topic)?.[partition], committed: committed.get(topic)?.[partition] })),
        );
      }
      // The stream as it is when the answer comes (it may have been reopened meanwhile).
      const stream = currentStream();
      const positions = stream?.offsetsToFetch;
      for (const { topic, partition } of quiet) {
        const end = ends.get(topic)?.[partition];
        // Without a stream for a while (an open that does not end) nothing is fetched: what lies past the last commit waits.
        const position = stream
          ? positions?.get(`${topic}:${partition}`)
          : this.#platform.clock.monotonic() - this.#streamSeenAt >= probeEveryMs
            ? this.#watchdog.committedOffset(topic, partition)
            : undefined;
        if (end === undefined || position === undefined) continue;
        if (this.#watchdog.probed(topic, partition, end, position)) this.#reopen = true;
      }
    } catch (error) {
      this.#platform.logger.debug({ error: messageOf(error) }, 'could not ask kafka for the offsets of its partitions (consumer lag, quiet partitions)');
    } finally {
      this.#probing = false;
    }
  }
}

/** Partitions grouped by topic, as the committed offsets request takes them. */
function byTopic(partitions: readonly SourcePartition[]): { topic: string; partitions: number[] }[] {
  const grouped = new Map<string, number[]>();
  for (const { topic, partition } of partitions) grouped.set(topic, [...(grouped.get(topic) ?? []), partition]);
  return [...grouped].map(([topic, list]) => ({ topic, partitions: list }));
}
