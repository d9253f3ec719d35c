// A consumer group's committed offsets against the topic's end, and what they must never run ahead of.
import { Admin } from '@platformatic/kafka';
import { floorOf, stableCommittedOffsets } from '../adapters/kafka/stable-offsets.ts';
import { unique } from '../adapters/kafka/testing.ts';

/** Per partition: `committed` offset of the group and the topic's `end` offset. */
export interface PartitionProgress {
  readonly partition: number;
  readonly committed: bigint;
  readonly end: bigint;
}

/**
 * The group's committed offsets next to the topic's end offsets. Asked with require_stable: while a transaction still
 * holds pending offsets the broker answers UNSTABLE_OFFSET_COMMIT, and we wait for it to finish.
 */
export async function groupProgress(brokers: string, group: string, topic: string, partitions: number): Promise<PartitionProgress[]> {
  const admin = new Admin({ clientId: unique('chaos-admin'), bootstrapBrokers: [brokers] });
  try {
    const offsets = await stableCommittedOffsets(admin, group);
    const committed = new Map(Array.from({ length: partitions }, (_, p) => [p, floorOf(offsets, topic, p)]));
    const [ends] = await admin.listOffsets({
      topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n })) }],
    });
    return (ends?.partitions ?? [])
      .map((p) => ({ partition: p.partitionIndex, committed: committed.get(p.partitionIndex) ?? -1n, end: p.offset }))
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.close();
  }
}

/**
 * Ids of input records below the group's committed offsets that are not among `processed`: offsets committed past
 * work that was never done. Empty when commits only ever cover processed records.
 */
export function committedButUnprocessed(progress: readonly PartitionProgress[], positions: ReadonlyMap<string, number>, processed: ReadonlySet<number>): number[] {
  const missing: number[] = [];
  for (const { partition, committed } of progress) {
    for (let offset = 0n; offset < committed; offset++) {
      const id = positions.get(`${partition}:${offset}`);
      if (id !== undefined && !processed.has(id)) missing.push(id);
    }
  }
  return missing;
}
