import { Admin } from '@platformatic/kafka';
import type { ListConsumerGroupOffsetsGroup, ListedOffsetsTopic } from '@platformatic/kafka';

/** One partition of the input topic at one moment: its end offset and the group's committed offset. */
export interface LagSample {
  /** Milliseconds since the sampler started. */
  readonly t: number;
  readonly partition: number;
  readonly end: number;
  /** 0 while the group has committed nothing on the partition. */
  readonly committed: number;
}

/** All partitions summed, at one moment. */
export interface LagPoint {
  readonly tS: number;
  readonly end: number;
  readonly committed: number;
  /** Records in the topic the group has not committed: end − committed. */
  readonly lag: number;
}

export interface LagFigures {
  readonly maxLag: number | undefined;
  readonly lagAtEnd: number | undefined;
}

/** The partitions of `topic` at time `t`, from a listOffsets answer (end offsets) and the group's committed offsets. */
export function lagSamples(t: number, topic: string, ends: readonly ListedOffsetsTopic[], group: ListConsumerGroupOffsetsGroup | undefined): LagSample[] {
  const committed = new Map<number, number>();
  for (const p of group?.topics.find((entry) => entry.name === topic)?.partitions ?? []) {
    committed.set(p.partitionIndex, Math.max(0, Number(p.committedOffset)));
  }
  return (ends.find((entry) => entry.name === topic)?.partitions ?? [])
    .map((p) => ({ t, partition: p.partitionIndex, end: Number(p.offset), committed: committed.get(p.partitionIndex) ?? 0 }))
    .sort((a, b) => a.partition - b.partition);
}

/** Sums the partitions of each moment, in time order. */
export function lagPoints(samples: readonly LagSample[]): LagPoint[] {
  const byT = new Map<number, { end: number; committed: number }>();
  for (const s of samples) {
    const sum = byT.get(s.t) ?? { end: 0, committed: 0 };
    byT.set(s.t, { end: sum.end + s.end, committed: sum.committed + s.committed });
  }
  return [...byT.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, { end, committed }]) => ({ tS: Math.round(t) / 1000, end, committed, lag: Math.max(0, end - committed) }));
}

export function lagFigures(points: readonly LagPoint[]): LagFigures {
  return {
    maxLag: points.length > 0 ? Math.max(...points.map((p) => p.lag)) : undefined,
    lagAtEnd: points.at(-1)?.lag,
  };
}

/** One row per partition and moment: `t_s,partition,end_offset,committed_offset,lag`. */
export function lagCsv(samples: readonly LagSample[]): string {
  const rows = [...samples]
    .sort((a, b) => a.t - b.t || a.partition - b.partition)
    .map((s) => [Math.round(s.t) / 1000, s.partition, s.end, s.committed, Math.max(0, s.end - s.committed)].join(','));
  return ['t_s,partition,end_offset,committed_offset,lag', ...rows].join('\n') + '\n';
}

/**
 * Every `intervalMs`, the input topic's end offsets and the group's committed offsets on it, broker side: how far
 * behind the process under test ran, partition by partition, over the run.
 */
export class LagSampler {
  readonly samples: LagSample[] = [];
  readonly #admin: Admin;
  readonly #groupId: string;
  readonly #topic: string;
  readonly #partitions: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #started = 0;

  constructor(brokers: readonly string[], groupId: string, topic: string, partitions: number) {
    this.#admin = new Admin({ clientId: 'orchestron-soak-lag', bootstrapBrokers: [...brokers] });
    this.#groupId = groupId;
    this.#topic = topic;
    this.#partitions = partitions;
  }

  start(intervalMs = 500): void {
    this.#started = performance.now();
    const tick = async () => {
      await this.sample();
      if (!this.#stopped) this.#timer = setTimeout(tick, intervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#admin.close().catch(() => {});
  }

  /** One more sample now (the last one, after the run). */
  async sample(): Promise<void> {
    if (this.#stopped) return;
    const t = performance.now() - this.#started;
    try {
      const partitions = Array.from({ length: this.#partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n }));
      const [ends, [group]] = await Promise.all([
        this.#admin.listOffsets({ topics: [{ name: this.#topic, partitions }] }),
        this.#admin.listConsumerGroupOffsets({ groups: [this.#groupId] }),
      ]);
      this.samples.push(...lagSamples(t, this.#topic, ends, group));
    } catch {
      // the broker is busy: the next sample will tell
    }
  }
}
