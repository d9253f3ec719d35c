import type { Platform, SourcePartition } from '../../core/index.ts';
import { floorKey } from './stable-offsets.ts';

/** A source partition stopped because its dead letters cannot be written. */
export interface PartitionBlock extends SourcePartition {
  /** Short and stable (a broker error code such as MESSAGE_TOO_LARGE): the metric's label. */
  readonly reason: string;
  /** The refusal as the sink reported it. */
  readonly detail: string;
  /** When the partition was first blocked (monotonic ms). */
  readonly since: number;
}

export interface PartitionBlocksOptions {
  /** How long a blocked partition waits before its records are read again from the committed offset. */
  readonly retryMs?: number;
  /** How often a partition still blocked is logged again. */
  readonly reminderMs?: number;
}

interface Entry {
  block: PartitionBlock;
  retryAt: number;
  loggedAt: number;
  /** Its records are handed out again, to see whether the dead letters can be written now. */
  onTrial: boolean;
}

/**
 * The source partitions whose dead letters the sink refused for good. Their records are held back (nothing of them is
 * handed out, so nothing is committed past them) while the other partitions flow; every `retryMs` they are tried
 * again, and a commit of theirs releases them. Logs one error when a partition is blocked, a reminder every
 * `reminderMs` (not one per try), and a line when it resumes; keeps `orchestron_partition_blocked` in step.
 */
export class PartitionBlocks {
  readonly #platform: Pick<Platform, 'clock' | 'logger' | 'metrics'>;
  readonly #retryMs: number;
  readonly #reminderMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(platform: Pick<Platform, 'clock' | 'logger' | 'metrics'>, options: PartitionBlocksOptions = {}) {
    this.#platform = platform;
    this.#retryMs = options.retryMs ?? 30_000;
    this.#reminderMs = options.reminderMs ?? 60_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Blocks `partitions` (again, when a trial failed: then without a new log line). */
  block(partitions: readonly SourcePartition[], reason: string, detail: string): void {
    const { clock, logger, metrics } = this.#platform;
    const now = clock.monotonic();
    for (const { topic, partition } of partitions) {
      const key = floorKey(topic, partition);
      const entry = this.#entries.get(key);
      if (entry) {
        if (entry.block.reason !== reason) {
          metrics.partitionBlocked.set(labels(entry.block), 0);
          metrics.partitionBlocked.set({ topic, partition: String(partition), reason }, 1);
        }
        entry.block = { ...entry.block, reason, detail };
        entry.onTrial = false;
        entry.retryAt = now + this.#retryMs;
        continue;
      }
      const block: PartitionBlock = { topic, partition, reason, detail, since: now };
      this.#entries.set(key, { block, retryAt: now + this.#retryMs, loggedAt: now, onTrial: false });
      metrics.partitionBlocked.set(labels(block), 1);
      logger.error(
        { topic, partition, reason, error: detail, retryInMs: this.#retryMs },
        'source partition blocked: its dead letters cannot be written; its records are held (nothing committed past them) until they can',
      );
    }
  }

  /** Whether the partition is blocked (held back, or on trial). */
  has(topic: string, partition: number): boolean {
    return this.#entries.has(floorKey(topic, partition));
  }

  /** Whether the records of this partition are held back now (blocked and not on trial). */
  holds(topic: string, partition: number): boolean {
    const entry = this.#entries.get(floorKey(topic, partition));
    return entry !== undefined && !entry.onTrial;
  }

  /** Blocked partitions whose wait is over: they are put on trial (their records handed out again) and returned. */
  due(): SourcePartition[] {
    const now = this.#platform.clock.monotonic();
    const due: SourcePartition[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.onTrial || now < entry.retryAt) continue;
      entry.onTrial = true;
      due.push({ topic: entry.block.topic, partition: entry.block.partition });
    }
    if (due.length > 0) this.#platform.logger.info({ partitions: due.map(name) }, 'trying blocked source partitions again');
    return due;
  }

  /** Whether any partition is waiting to be tried again (or on trial): the source must not wait for records for ever. */
  get pending(): boolean {
    return this.#entries.size > 0;
  }

  /** A commit of the partition's records: its dead letters went through, it resumes. */
  committed(topic: string, partition: number): void {
    const key = floorKey(topic, partition);
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const { clock, logger, metrics } = this.#platform;
    metrics.partitionBlocked.set(labels(entry.block), 0);
    logger.warn({ topic, partition, blockedForMs: Math.round(clock.monotonic() - entry.block.since) }, 'source partition resumed: its dead letters were written');
  }

  /** Forgets partitions no longer assigned here (their new owner meets the same refusal and blocks them itself). */
  retain(assigned: ReadonlySet<string>): void {
    for (const [key, entry] of this.#entries) {
      if (assigned.has(key)) continue;
      this.#entries.delete(key);
      this.#platform.metrics.partitionBlocked.set(labels(entry.block), 0);
      this.#platform.logger.info({ topic: entry.block.topic, partition: entry.block.partition }, 'blocked source partition revoked from this instance');
    }
  }

  /** Logs the partitions still blocked, each at most once per `reminderMs`. */
  remind(): void {
    const { clock, logger } = this.#platform;
    const now = clock.monotonic();
    for (const entry of this.#entries.values()) {
      if (now - entry.loggedAt < this.#reminderMs) continue;
      entry.loggedAt = now;
      const { topic, partition, reason, detail, since } = entry.block;
      logger.error({ topic, partition, reason, error: detail, blockedForMs: Math.round(now - since) }, 'source partition still blocked: its dead letters cannot be written');
    }
  }

  list(): PartitionBlock[] {
    return [...this.#entries.values()].map((entry) => entry.block);
  }
}

const labels = (block: PartitionBlock) => ({ topic: block.topic, partition: String(block.partition), reason: block.reason });
const name = (p: SourcePartition) => `${p.topic}/${p.partition}`;
