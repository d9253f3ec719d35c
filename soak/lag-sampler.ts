import { Admin } from '@platformatic/kafka';
import type { ListConsumerGroupOffsetsGroup, ListedOffsetsTopic } from '@platformatic/kafka';

/**
 * One partition of the input topic at one moment: its end offset and the group's committed offset, as the broker
 * answered the soak (LagSampler), or only its lag, as the process under test reported it (`orchestron_consumer_lag`,
 * see reportedLagSamples).
 */
export type LagSample = BrokerLagSample | ReportedLagSample;

export interface BrokerLagSample {
  /** Milliseconds since the sampler started. */
  readonly t: number;
  readonly partition: number;
  readonly end: number;
  /** 0 while the group has committed nothing on the partition. */
  readonly committed: number;
}

export interface ReportedLagSample {
  /** Milliseconds since the sampler started. */
  readonly t: number;
  readonly partition: number;
  readonly lag: number;
}

/** All partitions summed, at one moment; end and committed only from the broker's answers. */
export interface LagPoint {
  readonly tS: number;
  readonly end?: number;
  readonly committed?: number;
  /** Records in the topic the group has not committed: end − committed. */
  readonly lag: number;
}

/** The name of the process's per-partition lag metric (core/metrics/names.ts). */
export const LAG_METRIC = 'orchestron_consumer_lag';

const lagOf = (s: LagSample): number => ('lag' in s ? s.lag : Math.max(0, s.end - s.committed));

/**
 * The partitions of `topic` the process under test reported at time `t`, from its Prometheus exposition: one sample
 * per `orchestron_consumer_lag{topic,partition}` series.
 */
export function reportedLagSamples(t: number, topic: string, exposition: string): ReportedLagSample[] {
  const samples: ReportedLagSample[] = [];
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${LAG_METRIC}{`)) continue;
    const match = /^[a-z_]+\{(.*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = new Map([...(match[1] as string).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] as string, m[2] as string]));
    const lag = Number(match[2]);
    if (labels.get('topic') !== topic || !Number.isFinite(lag)) continue;
    samples.push({ t, partition: Number(labels.get('partition')), lag });
  }
  return samples.sort((a, b) => a.partition - b.partition);
}

export interface LagFigures {
  readonly maxLag: number | undefined;
  readonly lagAtEnd: number | undefined;
}

/** The partitions of `topic` at time `t`, from a listOffsets answer (end offsets) and the group's committed offsets. */
export function lagSamples(t: number, topic: string, ends: readonly ListedOffsetsTopic[], group: ListConsumerGroupOffsetsGroup | undefined): BrokerLagSample[] {
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
  const byT = new Map<number, { end: number; committed: number; lag: number; offsets: boolean }>();
  for (const s of samples) {
    const sum = byT.get(s.t) ?? { end: 0, committed: 0, lag: 0, offsets: false };
    byT.set(s.t, 'lag' in s ? { ...sum, lag: sum.lag + s.lag } : { end: sum.end + s.end, committed: sum.committed + s.committed, lag: sum.lag, offsets: true });
  }
  return [...byT.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, { end, committed, lag, offsets }]) =>
      offsets ? { tS: Math.round(t) / 1000, end, committed, lag: Math.max(0, end - committed) } : { tS: Math.round(t) / 1000, lag },
    );
}

export function lagFigures(points: readonly LagPoint[]): LagFigures {
  return {
    maxLag: points.length > 0 ? Math.max(...points.map((p) => p.lag)) : undefined,
    lagAtEnd: points.at(-1)?.lag,
  };
}

/** One row per partition and moment: `t_s,partition,end_offset,committed_offset,lag` (offsets empty when reported by the process). */
export function lagCsv(samples: readonly LagSample[]): string {
  const rows = [...samples]
    .sort((a, b) => a.t - b.t || a.partition - b.partition)
    .map((s) => [Math.round(s.t) / 1000, s.partition, 'lag' in s ? '' : s.end, 'lag' in s ? '' : s.committed, lagOf(s)].join(','));
  return ['t_s,partition,end_offset,committed_offset,lag', ...rows].join('\n') + '\n';
}

/**
 * Every `intervalMs`, the input topic's end offsets and the group's committed offsets on it, broker side: how far
 * behind the process under test ran, partition by partition, over the run. For processes that do not report their
 * own lag (the raw loop); Orchestron's is scraped from its metrics instead (MetricsSampler).
 */
export class LagSampler {
  readonly samples: BrokerLagSample[] = [];
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
