import type { Admin } from '@platformatic/kafka';
import { findErrorBy } from '@platformatic/kafka';
import { partitionKey, sleep, systemClock } from '../../core/index.ts';
import type { Clock, Logger } from '../../core/index.ts';
import { kafkaError } from './errors.ts';

export const floorKey = partitionKey;

/**
 * The group's committed offsets, asked with require_stable: while another instance's transaction still holds pending
 * offsets for a partition the broker answers UNSTABLE_OFFSET_COMMIT, and we ask again. The consumer's own offset
 * fetch does not ask for stable offsets, so after a rebalance it may start a partition below offsets that a previous
 * owner's transaction is about to commit; records below these floors were already processed and are skipped.
 */
export async function stableCommittedOffsets(
  admin: Admin,
  groupId: string,
  { deadlineMs = 90_000, logger, clock = systemClock }: { readonly deadlineMs?: number; readonly logger?: Logger; readonly clock?: Clock } = {},
): Promise<Map<string, bigint>> {
  const started = clock.monotonic();
  let warnedAt = started;
  for (let attempt = 0; ; attempt++) {
    try {
      const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId], requireStable: true });
      const floors = new Map<string, bigint>();
      for (const topic of group?.topics ?? []) {
        for (const partition of topic.partitions) {
          if (partition.committedOffset >= 0n) floors.set(floorKey(topic.name, partition.partitionIndex), partition.committedOffset);
        }
      }
      return floors;
    } catch (error) {
      const unstable = error instanceof Error && findErrorBy(error, 'apiId', 'UNSTABLE_OFFSET_COMMIT') !== null;
      if (!unstable || clock.monotonic() - started > deadlineMs) throw kafkaError(error, `fetch stable offsets of group ${groupId}`, 'source');
      if (clock.monotonic() - warnedAt >= 10_000) {
        warnedAt = clock.monotonic();
        logger?.warn(
          { group: groupId, waitedMs: warnedAt - started, giveUpAfterMs: deadlineMs },
          'waiting for a transaction that holds offsets of this group to end (a crashed instance whose id has not come back is timed out by the coordinator after its transaction timeout)',
        );
      }
      await sleep(clock, Math.min(1_000, 50 * 2 ** attempt));
    }
  }
}

export const floorOf = (floors: ReadonlyMap<string, bigint>, topic: string, partition: number): bigint =>
  floors.get(floorKey(topic, partition)) ?? -1n;
