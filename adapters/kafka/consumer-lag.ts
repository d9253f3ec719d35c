import { dropSeries } from '../../core/index.ts';
import type { Platform, SourcePartition } from '../../core/index.ts';
import { floorKey } from './stable-offsets.ts';

/** An assigned partition's lag, as last measured. */
export interface PartitionLag extends SourcePartition {
  /** `lastStable − committed` (never below 0): offsets the group has yet to commit. */
  readonly lag: number;
  /** The partition's last stable offset (ListOffsets with read_committed): past it, open transactions only. */
  readonly lastStable: bigint;
  /** The group's committed offset: the next offset it will consume. */
  readonly committed: bigint;
  /** When the broker answered (monotonic ms). */
  readonly measuredAt: number;
}

/** What the broker answered for one partition: its last stable offset, and the group's committed offset (undefined or -1: none). */
export interface PartitionOffsets extends SourcePartition {
  readonly lastStable: bigint | undefined;
  readonly committed: bigint | undefined;
}

const labels = (p: SourcePartition) => ({ topic: p.topic, partition: String(p.partition) });

/**
 * The consumer lag of the partitions assigned here: `orchestron_consumer_lag{topic,partition}` and
 * `orchestron_consumer_total_lag`, measured every `intervalMs` and as soon as the assignment changed. A partition that
 * moves away loses its series at once (another instance reports it now); one the group never committed counts from
 * where the group starts reading it, when that is known (the caller passes its log start offset as `committed`), and
 * has no series otherwise. Asking the broker is the caller's (see PartitionHealth): `due`, `measuring`, `measured`.
 */
export class ConsumerLag {
  readonly #platform: Pick<Platform, 'clock' | 'metrics'>;
  readonly #intervalMs: number;
  readonly #assigned = new Map<string, SourcePartition>();
  readonly #lags = new Map<string, PartitionLag>();
  #measuredAt = Number.NEGATIVE_INFINITY;
  /** The assignment changed since the last measurement began. */
  #changed = false;

  /** `intervalMs` 0: lag is not measured (no series). */
  constructor(platform: Pick<Platform, 'clock' | 'metrics'>, intervalMs: number) {
    this.#platform = platform;
    this.#intervalMs = intervalMs;
  }

  /** The partitions assigned here now: revoked ones lose their series, and a change makes a measurement due. */
  assigned(partitions: readonly SourcePartition[]): void {
    const keys = new Set<string>();
    for (const { topic, partition } of partitions) {
      const key = floorKey(topic, partition);
      keys.add(key);
      if (this.#assigned.has(key)) continue;
      this.#assigned.set(key, { topic, partition });
      this.#changed = true;
    }
    for (const key of this.#assigned.keys()) {
      if (keys.has(key)) continue;
      this.#assigned.delete(key);
      this.#changed = true;
      this.#forget(key);
    }
    if (this.#changed) this.#publishTotal();
  }

  /** Whether to ask the broker now: partitions are assigned and the interval passed, or the assignment changed. */
  due(): boolean {
    if (this.#intervalMs <= 0 || this.#assigned.size === 0) return false;
    return this.#changed || this.#platform.clock.monotonic() - this.#measuredAt >= this.#intervalMs;
  }

  /** A measurement begins: the partitions to ask about. The next one is due an interval from now. */
  measuring(): SourcePartition[] {
    this.#measuredAt = this.#platform.clock.monotonic();
    this.#changed = false;
    return [...this.#assigned.values()];
  }

  /** The broker's answer; partitions revoked while it was asked are left out. */
  measured(answers: readonly PartitionOffsets[]): void {
    const measuredAt = this.#platform.clock.monotonic();
    for (const { topic, partition, lastStable, committed } of answers) {
      const key = floorKey(topic, partition);
      if (!this.#assigned.has(key) || lastStable === undefined) continue;
      if (committed === undefined || committed < 0n) {
        this.#forget(key);
        continue;
      }
      const lag = Number(lastStable > committed ? lastStable - committed : 0n);
      this.#lags.set(key, { topic, partition, lag, lastStable, committed, measuredAt });
      this.#platform.metrics.consumerLag.set(labels({ topic, partition }), lag);
    }
    this.#publishTotal();
  }

  /** The lag of each assigned partition measured so far, in topic and partition order. */
  list(): PartitionLag[] {
    return [...this.#lags.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  #forget(key: string): void {
    const known = this.#lags.get(key);
    if (!known) return;
    this.#lags.delete(key);
    dropSeries(this.#platform.metrics.consumerLag, labels(known));
  }

  #publishTotal(): void {
    if (this.#intervalMs <= 0) return;
    let total = 0;
    for (const { lag } of this.#lags.values()) total += lag;
    this.#platform.metrics.consumerTotalLag.set({}, total);
  }
}
