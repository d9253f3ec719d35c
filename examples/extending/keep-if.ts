import type { BatchStage, DroppedRecord, Envelope } from '../../core/index.ts';
import { batchStage, countFailed, failRecordOrBatch, named, toOrchestronError } from '../../core/index.ts';

/**
 * Decides whether a record goes on. Throw to fail the record: a `ValidationError` (or any non-retryable error) for a
 * record that can never pass, a `ProcessingError` (retryable) for a failure that may heal on redelivery.
 */
export type KeepIf<T> = (value: T, record: Envelope<T>) => boolean;

/**
 * A filter of your own, failing records the way the built-in stages do. A record the predicate turns down is
 * dropped as `filtered`: its offset still commits and it counts in `orchestron_records_filtered_total`. A record
 * whose predicate throws is handed to `failRecordOrBatch`, which asks the pipeline's failure policy: in atomic mode
 * a retryable failure fails the whole batch (nothing commits; it comes again, `attempts` + 1) until the record has
 * been delivered `maxDeliveries` times; otherwise the record alone is dropped as failed, logged, counted with
 * `countFailed`, and sent to the dead-letter topic by a `deadLetter` stage further down.
 */
export function keepIf<T>(predicate: KeepIf<T>): BatchStage<T, T> {
  // batchStage passes a batch that already failed on untouched; `named` lets a stuck batch be traced to this stage.
  return named(
    'keepIf',
    batchStage<T, T>((batch) => {
      const records: Envelope<T>[] = [];
      const dropped: DroppedRecord[] = [];
      for (const record of batch.records) {
        let keep: boolean;
        try {
          keep = predicate(record.value, record);
        } catch (thrown) {
          const failed = failRecordOrBatch(batch.control, record, toOrchestronError(thrown));
          // The whole batch failed: return it as it is; the commit stage aborts it.
          if (!failed) return batch;
          dropped.push(failed);
          continue;
        }
        if (keep) records.push(record);
        else dropped.push({ record, reason: 'filtered' });
      }
      countFailed(batch.control.context, dropped);
      return batch.next(records, dropped);
    }),
  );
}
