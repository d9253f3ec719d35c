import type { Platform, SourcePartition } from '../../core/index.ts';
import { floorKey } from './stable-offsets.ts';

/** A source partition with records waiting and no committed progress for the stall timeout. */
export interface PartitionStall extends SourcePartition {
  /** When its committed offset last moved, or it was assigned here (monotonic ms). */
  readonly progressAt: number;
  /** The last stage the batch in flight reached when the stall was found. */
  readonly lastStage: string;
}

interface Progress {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume as last committed (ours, or as the broker answered a probe). */
  committed: bigint | undefined;
  /** Past the last record the source read (and handed out). */
  end: bigint | undefined;
  /** The broker holds records the client has not fetched (as a probe found). */
  behind: boolean;
  /**
   * The client's fetch position was past the committed offset with nothing read past it: the stream was reopened to
   * see whether records there come (`upTo`: that position), or only transaction markers; `verified` is the committed
   * offset for which it found nothing, so that it is not asked again until the partition commits.
   */
  checking: { readonly committed: bigint; readonly upTo: bigint } | undefined;
  verified: bigint | undefined;
  progressAt: number;
  stall: PartitionStall | undefined;
  recoveredAt: number;
  loggedAt: number;
}

const reminderMs = 60_000;

/**
 * Notices a partition that has records waiting (lag > 0) and whose committed offset has not moved for `stallTimeoutMs`:
 * readiness names it, `orchestron_partition_stalled` is 1, an error is logged (with the last stage the batch in flight
 * reached), and the source is asked to recover (see `check`). What the source fetched tells it records are waiting;
 * for a partition quiet for the timeout, the source asks the broker (`probed`).
 */
export class ProgressWatchdog {
  readonly #platform: Pick<Platform, 'clock' | 'logger' | 'metrics'>;
  readonly #timeoutMs: number;
  readonly #partitions = new Map<string, Progress>();

  constructor(platform: Pick<Platform, 'clock' | 'logger' | 'metrics'>, stallTimeoutMs: number) {
    this.#platform = platform;
    this.#timeoutMs = stallTimeoutMs;
  }

  get enabled(): boolean {
    return this.#timeoutMs > 0;
  }

  /** The partitions assigned here now: new ones start their clock, revoked ones are forgotten. */
  assigned(partitions: readonly SourcePartition[]): void {
    const keys = new Set<string>();
    for (const { topic, partition } of partitions) {
      keys.add(floorKey(topic, partition));
      this.#progress(topic, partition);
    }
    for (const [key, progress] of this.#partitions) {
      if (keys.has(key)) continue;
      this.#partitions.delete(key);
      if (progress.stall) this.#platform.metrics.partitionStalled.set(labels(progress), 0);
    }
  }

  /** Records up to `nextOffset` (exclusive) were read from the client. */
  fetched(topic: string, partition: number, nextOffset: bigint): void {
    const progress = this.#progress(topic, partition);
    if (progress.end === undefined || nextOffset > progress.end) progress.end = nextOffset;
    const checking = progress.checking;
    if (checking && nextOffset > checking.committed) {
      progress.checking = undefined;
      // Records below the position the client had fetched up to, handed out only now: the client had skipped them.
      if (nextOffset - 1n < checking.upTo) {
        this.#platform.logger.warn(
          { topic, partition, committed: String(checking.committed), fetchedUpTo: String(checking.upTo) },
          'kafka consumer had fetched records of this partition without handing them out; they came after reopening its stream',
        );
      }
    }
  }

  /** The partition's offset `offset` was committed here. */
  committed(topic: string, partition: number, offset: bigint): void {
    const progress = this.#progress(topic, partition);
    if (progress.committed !== undefined && offset <= progress.committed) return;
    progress.committed = offset;
    this.#moved(progress);
  }

  /** The partition's next offset to consume as last committed here; undefined before its first commit here. */
  committedOffset(topic: string, partition: number): bigint | undefined {
    return this.#partitions.get(floorKey(topic, partition))?.committed;
  }

  /**
   * Partitions without committed progress for the timeout and no record read past their committed offset: whether
   * records wait for them is a question for the broker (see `probed`).
   */
  quiet(excluded: (topic: string, partition: number) => boolean = () => false): SourcePartition[] {
    if (!this.enabled) return [];
    const now = this.#platform.clock.monotonic();
    return [...this.#partitions.values()]
      .filter((p) => now - p.progressAt >= this.#timeoutMs && !unread(p) && !excluded(p.topic, p.partition))
      .map(({ topic, partition }) => ({ topic, partition }));
  }

  /**
   * What a probe found: the broker's last stable offset `end` and the client's fetch position (both count transaction
   * markers, which the committed offset does not). Past the position, records wait unfetched: a stall. When nothing
   * waits the clock starts again, so the broker is asked again only after another timeout, and a stall found this way
   * ends. Returns true when the stream should be reopened quietly (no stall reported): the client fetched past the
   * committed offset and handed nothing out, which transaction markers explain, and so would records it dropped; the
   * reopen tells them apart once per committed offset (see `fetched`).
   */
  probed(topic: string, partition: number, end: bigint, position: bigint): boolean {
    const progress = this.#partitions.get(floorKey(topic, partition));
    if (!progress) return false;
    progress.behind = end > position;
    if (progress.behind || unread(progress)) return false;
    const committed = progress.committed;
    if (committed !== undefined && position > committed && progress.verified !== committed) {
      if (progress.checking?.committed !== committed) {
        progress.checking = { committed, upTo: position };
        return true;
      }
      // Reopened, and again nothing but what the position passes over: transaction markers (or aborted records).
      progress.checking = undefined;
      progress.verified = committed;
    }
    if (progress.stall) this.#moved(progress);
    else progress.progressAt = this.#platform.clock.monotonic();
    return false;
  }

  /**
   * Finds stalled partitions (not `excluded`, e.g. blocked ones reported on their own) and returns those the source
   * should recover now: each stalled partition when it is found, then again every timeout while it stays stalled.
   */
  check(lastStage: string, excluded: (topic: string, partition: number) => boolean = () => false): SourcePartition[] {
    if (!this.enabled) return [];
    const { clock, logger, metrics } = this.#platform;
    const now = clock.monotonic();
    const recover: SourcePartition[] = [];
    for (const progress of this.#partitions.values()) {
      const { topic, partition } = progress;
      if (excluded(topic, partition) || !waiting(progress) || now - progress.progressAt < this.#timeoutMs) continue;
      if (!progress.stall) {
        progress.stall = { topic, partition, progressAt: progress.progressAt, lastStage };
        progress.loggedAt = now;
        metrics.partitionStalled.set(labels(progress), 1);
        logger.error(
          { topic, partition, lag: lagOf(progress), stalledForMs: Math.round(now - progress.progressAt), lastStage },
          'source partition stalled: records are waiting and nothing was committed for the stall timeout; reopening the consumer',
        );
      } else if (now - progress.loggedAt >= reminderMs) {
        progress.loggedAt = now;
        logger.error({ topic, partition, lag: lagOf(progress), stalledForMs: Math.round(now - progress.progressAt), lastStage }, 'source partition still stalled');
      }
      if (now - progress.recoveredAt >= this.#timeoutMs) {
        progress.recoveredAt = now;
        recover.push({ topic, partition });
      }
    }
    return recover;
  }

  list(): PartitionStall[] {
    return [...this.#partitions.values()].flatMap((p) => (p.stall ? [p.stall] : []));
  }

  /** A partition's progress, its clock started now if it is new here (read or committed before the assignment was seen). */
  #progress(topic: string, partition: number): Progress {
    const key = floorKey(topic, partition);
    let progress = this.#partitions.get(key);
    if (!progress) {
      const now = this.#platform.clock.monotonic();
      progress = {
        topic,
        partition,
        committed: undefined,
        end: undefined,
        behind: false,
        checking: undefined,
        verified: undefined,
        progressAt: now,
        stall: undefined,
        recoveredAt: 0,
        loggedAt: 0,
      };
      this.#partitions.set(key, progress);
    }
    return progress;
  }

  #moved(progress: Progress): void {
    const now = this.#platform.clock.monotonic();
    progress.progressAt = now;
    progress.behind = false;
    if (!progress.stall) return;
    const stalledForMs = Math.round(now - progress.stall.progressAt);
    progress.stall = undefined;
    this.#platform.metrics.partitionStalled.set(labels(progress), 0);
    this.#platform.logger.warn({ topic: progress.topic, partition: progress.partition, stalledForMs }, 'source partition moving again');
  }
}

/** Records were read past the committed offset (or none committed since the partition came here) and wait for a commit. */
const unread = (p: Progress): boolean => p.end !== undefined && (p.committed === undefined || p.end > p.committed);
const waiting = (p: Progress): boolean => unread(p) || p.behind;
const lagOf = (p: Progress): string | undefined => (p.end !== undefined && p.committed !== undefined ? String(p.end - p.committed) : undefined);
const labels = (p: SourcePartition) => ({ topic: p.topic, partition: String(p.partition) });
