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
  /**
   * A batch cut short (`BatchControl.limit`) is committing: send the reading position of its limited partitions back
   * to the limits, so the records from there on come again. Called before `commit`, with the batches read meanwhile
   * already stale. A source that does not implement it must not be given limited batches.
   */
  reread?(control: BatchControl): Promise<void> | void;
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
      if (!control.limited) {
        await parts.commit(control);
        redeliveries.committed(ranges);
        return;
      }
      // Cut short: the records from the cut on come again, as after an abort (attempts + 1), and batches read after
      // this one hold records past the cut, so they must not commit. Both before the commit is issued: the next
      // batch's commit may be called while this one's is on its way.
      const { done, rest } = splitAtLimits(ranges, control);
      rewinds.rewound();
      redeliveries.aborted(rest);
      await parts.reread?.(control);
      await parts.commit(control);
      redeliveries.committed(done);
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

/** The ranges a limited batch commits, and those from its limits on (delivered again). */
function splitAtLimits(ranges: readonly OffsetRange[], control: BatchControl): { done: OffsetRange[]; rest: OffsetRange[] } {
  const done: OffsetRange[] = [];
  const rest: OffsetRange[] = [];
  for (const range of ranges) {
    const cut = control.committing.find((p) => p.topic === range.topic && p.partition === range.partition)?.offset ?? range.to + 1n;
    if (cut > range.from) done.push({ ...range, to: cut > range.to ? range.to : cut - 1n });
    if (cut <= range.to) rest.push({ ...range, from: cut > range.from ? cut : range.from });
  }
  return { done, rest };
}
