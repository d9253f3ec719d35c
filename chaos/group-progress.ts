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

/** What watchGroupProgress saw. */
export interface ProgressGaps {
  /** Longest time the group's committed total did not grow while records were left, from its first commit on. */
  readonly longestGapMs: number;
  /** Times the committed offsets were read. */
  readonly samples: number;
}

/**
 * Reads the group's committed offsets every `everyMs` until stopped, and measures the longest time without progress:
 * the total committed over all partitions not growing while it is below the topic's end. Time before the group's first
 * commit (starting up) is not counted.
 */
export function watchGroupProgress(brokers: string, group: string, topic: string, partitions: number, everyMs = 500): { stop(): Promise<ProgressGaps> } {
  let running = true;
  let longestGapMs = 0;
  let samples = 0;
  let total = -1n;
  let grewAt: number | undefined;
  const watching = (async () => {
    while (running) {
      try {
        const progress = await groupProgress(brokers, group, topic, partitions);
        const now = Date.now();
        samples++;
        const committed = progress.reduce((sum, p) => sum + (p.committed > 0n ? p.committed : 0n), 0n);
        const end = progress.reduce((sum, p) => sum + p.end, 0n);
        if (committed > total) {
          total = committed;
          grewAt = committed > 0n ? now : undefined;
        } else if (grewAt !== undefined && committed < end) {
          longestGapMs = Math.max(longestGapMs, now - grewAt);
        }
      } catch {
        // The broker did not answer this time (a transaction still pending); the next read counts.
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await watching;
      return { longestGapMs, samples };
    },
  };
}
