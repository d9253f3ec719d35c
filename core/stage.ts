import type { Batch } from './batch.ts';
import { isFailed } from './failed-batch.ts';

/** A pipeline stage: batches in, batches out, lazily, one at a time. */
export type Stage<In, Out> = (input: AsyncIterable<In>) => AsyncIterable<Out>;

/** A stage over batches whose records carry values of type I and come out carrying O. */
export type BatchStage<I, O> = Stage<Batch<I>, Batch<O>>;

/**
 * Builds a batch stage from a per-batch function. Failed batches (atomic mode) pass through untouched, so the
 * commit stage can abort them; the chain itself never breaks on a record's failure.
 */
export const batchStage =
  <I, O>(step: (batch: Batch<I>) => Promise<Batch<O>> | Batch<O>): BatchStage<I, O> =>
  async function* (input) {
    for await (const batch of input) {
      yield isFailed(batch) ? batch : await step(batch);
    }
  };

/**
 * `stage`, noting its `name` on each batch it takes (see `BatchControl.reached`), so that a batch that stops moving
 * can be traced to the stage that holds it.
 */
export const named =
  <I, O>(name: string, stage: BatchStage<I, O>): BatchStage<I, O> =>
  (input) =>
    stage(
      (async function* () {
        for await (const batch of input) {
          batch.control.reached(name);
          yield batch;
        }
      })(),
    );
