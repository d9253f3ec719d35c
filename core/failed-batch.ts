import type { Batch } from './batch.ts';
import type { OrchestronError } from './errors.ts';

/**
 * A batch that failed as a whole (`BatchControl.fail`) on its way down the chain to the commit stage, which aborts it.
 * Stages pass it on untouched: no step runs on its records, so it needs no value type and goes wherever a batch of
 * any type is expected. Its records keep what the tracker reads of them (identity, attempts) to mark them FAILED.
 */
export type FailedBatch = Batch<never> & { readonly failure: OrchestronError };

/** Whether the batch failed as a whole: stages pass such a batch on as it is. */
export const isFailed = <T>(batch: Batch<T>): batch is Batch<T> & FailedBatch => batch.failure !== undefined;

/** Fails the whole batch (the first failure wins, see `BatchControl.fail`) and returns it, to pass on down the chain. */
export function failBatch<T>(batch: Batch<T>, error: OrchestronError): FailedBatch {
  batch.control.fail(error);
  // The control now holds a failure, which is all a FailedBatch adds.
  return batch as Batch<T> & FailedBatch;
}
