import type { BatchControl, Settlement } from '../batch.ts';
import type { OrchestronError } from '../errors.ts';
import type { OffsetRange, Redeliveries } from './redeliveries.ts';
import type { Rewinds } from './rewinds.ts';
import { staleBatchError } from './rewinds.ts';

export interface OffsetSettlementParts {
  /** The source's rewinds (or the batch's partition's) and their count when the batch was read. */
  readonly rewinds: Rewinds;
  readonly readAt: number;
  /** Where the source counts deliveries, and the offsets this batch handed out. */
  readonly redeliveries: Redeliveries;
  readonly ranges: readonly OffsetRange[];
  /** Makes the batch's offsets durable (e.g. through OffsetCommits); called only for a batch that is not stale. */
  commit(control: BatchControl): Promise<void>;
  /**
   * After an abort of a batch that is not stale (the rewind and the redelivery are counted already): send the
   * reading position back to the committed offsets, and wait `redeliveryDelayMs(error)` before reading on.
   */
  rewind(control: BatchControl, error: OrchestronError): Promise<void> | void;
  /** After an abort of a stale batch (nothing to rewind: its records come again anyway): release what it holds. */
  discard?(control: BatchControl, error: OrchestronError): Promise<void> | void;
}

/**
 * The settlement contract (see `Settlement`) for a source that reads partitions in offset order and commits the next
 * offset to read: a stale batch refuses to commit; an abort counts a redelivery for each of the batch's records (their
 * `attempts` is one more next time) and a rewind; a commit forgets the aborts it passed.
 */
export function offsetSettlement(parts: OffsetSettlementParts): Settlement {
  const { rewinds, readAt, redeliveries, ranges } = parts;
  return {
    async commit(control) {
      if (rewinds.staleSince(readAt)) throw staleBatchError();
      await parts.commit(control);
      redeliveries.committed(ranges);
    },
    async abort(control, error) {
      if (rewinds.staleSince(readAt)) {
        await parts.discard?.(control, error);
        return;
      }
      redeliveries.aborted(ranges);
      rewinds.rewound();
      await parts.rewind(control, error);
    },
  };
}
