import type { DroppedRecord } from '../batch.ts';
import type { CircuitBreaker } from '../breaker.ts';
import type { Envelope } from '../envelope.ts';
import { toOrchestronError } from '../errors.ts';
import { failBatch } from '../failed-batch.ts';
import type { DedupStore } from '../dedup/store.ts';
import type { BatchStage } from '../stage.ts';
import { batchStage } from '../stage.ts';
import { RepeatedWarnings } from '../repeated-warnings.ts';

export interface DedupOptions<T> {
  /** The identity to deduplicate on; defaults to the envelope's dedupKey (topic-partition-offset unless the source set one). */
  readonly key?: (record: Envelope<T>) => string;
  /** How long a processed key is remembered. */
  readonly ttlMs: number;
  /** Guards store calls; while open, skip-and-log processes without dedup, atomic aborts the batch. */
  readonly breaker?: CircuitBreaker;
}

/**
 * Drops records whose key was already processed, with one store lookup per batch (and repeats within the batch).
 * Keys are remembered only once the batch commits, so an aborted batch's records are not mistaken for duplicates
 * when they come again.
 */
export function dedup<T>(store: DedupStore, options: DedupOptions<T>): BatchStage<T, T> {
  const keyOf = options.key ?? ((record: Envelope<T>) => record.dedupKey);
  const call = <R>(operation: () => Promise<R>): Promise<R> =>
    options.breaker ? options.breaker.call(operation) : operation();
  // Made with the first batch's platform; folds the warnings of an outage (one per batch otherwise).
  let warnings: RepeatedWarnings | undefined;

  return batchStage(async (batch) => {
    const context = batch.control.context;
    const { metrics, logger, clock } = context.platform;
    warnings ??= new RepeatedWarnings(logger, clock);
    const repeated = warnings;
    const keys = batch.records.map(keyOf);
    let seen: boolean[];
    try {
      seen = keys.length === 0 ? [] : await call(() => store.seen(keys));
    } catch (thrown) {
      const error = toOrchestronError(thrown);
      if (context.failurePolicy.dependencyFailure === 'fail-batch') return failBatch(batch, error);
      repeated.warn('seen', { error: error.message, records: keys.length }, 'dedup store unavailable; processing without dedup');
      seen = keys.map(() => false);
    }
    const records: Envelope<T>[] = [];
    const dropped: DroppedRecord[] = [];
    const fresh: string[] = [];
    const inBatch = new Set<string>();
    batch.records.forEach((record, i) => {
      const key = keys[i] as string;
      if (seen[i] || inBatch.has(key)) {
        metrics.recordsDeduplicated.inc({ topic: record.topic });
        dropped.push({ record, reason: 'deduplicated' });
        return;
      }
      inBatch.add(key);
      fresh.push(key);
      records.push(record);
    });
    if (fresh.length > 0) {
      const control = batch.control;
      control.afterCommit(async () => {
        // A batch cut short (BatchControl.limit) delivers the records past its cut again: their keys are not remembered.
        const committed = control.limited ? fresh.filter((_, i) => control.commits(records[i] as Envelope<T>)) : fresh;
        if (committed.length === 0) return;
        try {
          await call(() => store.remember(committed, options.ttlMs));
        } catch (thrown) {
          repeated.warn('remember', { error: toOrchestronError(thrown).message, records: fresh.length }, 'dedup keys not remembered');
        }
      });
    }
    return batch.next(records, dropped);
  });
}
