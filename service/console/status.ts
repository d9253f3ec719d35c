import { Consumer, FetchIsolationLevels } from '@platformatic/kafka';
import type { Registry } from 'prom-client';
import { messageOf } from '../../core/index.ts';
import type { ReadinessReport } from '../http/app.ts';
import type { KafkaAccess } from '../pipeline/kafka-access.ts';
import { clientBase } from '../pipeline/kafka-access.ts';

export interface PartitionLagRow {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
  readonly committed?: bigint;
  readonly end?: bigint;
}

/** What the status page shows; a part the console cannot know where it runs says why instead. */
export interface StatusReport {
  readonly source: 'running service' | 'standalone';
  readonly readiness: ReadinessReport | string;
  readonly breakers: readonly { readonly name: string; readonly open: boolean }[] | string;
  readonly lag: readonly PartitionLagRow[] | string;
  readonly throughput: { readonly records: number; readonly perSecond: number | undefined } | string;
}

export type StatusSource = () => Promise<StatusReport>;

const notStandalone = 'not available standalone: mount the console in `orchestron run` (console.enabled) to see it';

interface Sample {
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

async function samples(registry: Registry, name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  return (await metric.get()).values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

/** Mounted in `run`: the service's own readiness, and its metrics registry for breakers, lag and throughput. */
export function runningStatus(readiness: () => Promise<ReadinessReport>, registry: Registry, now: () => number = Date.now): StatusSource {
  let last: { at: number; records: number } | undefined;
  return async () => {
    const [report, breakers, lag, ok, deadLettered] = await Promise.all([
      readiness().catch((error: unknown) => messageOf(error)),
      samples(registry, 'orchestron_breaker_open'),
      samples(registry, 'orchestron_consumer_lag'),
      samples(registry, 'orchestron_records_ok_total'),
      samples(registry, 'orchestron_records_dead_lettered_total'),
    ]);
    const records = [...ok, ...deadLettered].reduce((n, s) => n + s.value, 0);
    const at = now();
    const perSecond = last && at > last.at ? ((records - last.records) * 1000) / (at - last.at) : undefined;
    last = { at, records };
    return {
      source: 'running service',
      readiness: report,
      breakers: breakers.map((s) => ({ name: String(s.labels.breaker), open: s.value === 1 })),
      lag: lag
        .map((s) => ({ topic: String(s.labels.topic), partition: Number(s.labels.partition), lag: s.value }))
        .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)),
      throughput: { records, perSecond },
    };
  };
}

/** Standalone: the group's committed offsets against the partitions' last stable offsets, asked of the broker. */
export function standaloneStatus(access: KafkaAccess, groupId: string, topics: readonly string[]): StatusSource & { close(): Promise<void> } {
  let consumer: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined;
  const lag = async (): Promise<PartitionLagRow[]> => {
    consumer ??= new Consumer({ ...clientBase(access, 'orchestron-console'), groupId, autocommit: false });
    const ends = await consumer.listOffsets({ topics: [...topics], isolationLevel: FetchIsolationLevels.READ_COMMITTED });
    const committed = await consumer.listCommittedOffsets({ topics: [...ends].map(([topic, offsets]) => ({ topic, partitions: offsets.map((_, p) => p) })) });
    const rows: PartitionLagRow[] = [];
    for (const [topic, offsets] of ends) {
      offsets.forEach((end, partition) => {
        const at = committed.get(topic)?.[partition] ?? -1n;
        rows.push({ topic, partition, end, ...(at >= 0n ? { committed: at } : {}), lag: Number(at >= 0n && end > at ? end - at : at >= 0n ? 0n : end) });
      });
    }
    return rows;
  };
  const source = async (): Promise<StatusReport> => ({
    source: 'standalone',
    readiness: notStandalone,
    breakers: notStandalone,
    lag: await lag().catch((error: unknown) => `cannot ask the broker: ${messageOf(error)}`),
    throughput: notStandalone,
  });
  return Object.assign(source, {
    async close() {
      await consumer?.close(true);
    },
  });
}
