import type { DroppedRecord } from '../batch.ts';
import type { Envelope } from '../envelope.ts';
import type { FailureCategory, OrchestronError } from '../errors.ts';
import { RecordRefusedError, categoryOf } from '../errors.ts';
import type { PipelineContext } from '../context.ts';
import { recordFields } from '../logger.ts';
import type { Counter } from '../metrics/metrics.ts';

/** The labels of a failed record's series in `orchestron_records_failed_total` and `…_dead_lettered_total`. */
export type FailureLabels = {
  readonly topic: string;
  readonly category: FailureCategory;
};

export const failureLabels = (drop: DroppedRecord): FailureLabels => ({
  topic: drop.record.topic,
  category: drop.error ? categoryOf(drop.error) : 'PROCESSING_ERROR',
});

/**
 * Adds one to `counter` per entry, with one increment per distinct label set: a batch's failures mostly share topic
 * and category, and each increment costs a lookup of its labels (sorted and joined, in prom-client too).
 */
export function countFailures(counter: Counter, labels: readonly FailureLabels[]): void {
  if (labels.length === 1) {
    counter.inc(labels[0] as FailureLabels);
    return;
  }
  const counts = new Map<string, { readonly labels: FailureLabels; n: number }>();
  for (const label of labels) {
    const key = `${label.topic}\u0000${label.category}`;
    const count = counts.get(key);
    if (count) count.n += 1;
    else counts.set(key, { labels: label, n: 1 });
  }
  for (const { labels: label, n } of counts.values()) counter.inc(label, n);
}

/** Counts a stage's failed records in `orchestron_records_failed_total`, once the stage knows they failed for good. */
export function countFailed(context: PipelineContext, dropped: readonly DroppedRecord[]): void {
  if (dropped.length === 0) return;
  countFailures(context.platform.metrics.recordsFailed, dropped.filter((drop) => drop.reason === 'failed').map(failureLabels));
}

/**
 * A record that failed for good: logged at warn (identity only, never the payload) and dropped as failed. The stage
 * counts its failures with `countFailed` once the batch's outcome is known.
 */
export function failRecord(
  context: PipelineContext,
  record: Envelope<unknown>,
  error: OrchestronError,
  times: { readonly firstFailureAt?: number; readonly lastFailureAt?: number; readonly attempts?: number } = {},
): DroppedRecord {
  const { logger, clock } = context.platform;
  const category = categoryOf(error);
  // Decode and validation messages quote the input; they reach the log only when payload logging is on.
  const quotesInput = category === 'DESERIALIZATION_ERROR' || category === 'VALIDATION_ERROR';
  const message = quotesInput && !context.logPayloads ? (error.reason ?? `${category} (message quotes the payload; not logged)`) : error.message;
  logger.warn({ ...recordFields(record), category, retryable: error.retryable, error: message }, 'record failed');
  const at = clock.now();
  return {
    record,
    reason: 'failed',
    error,
    firstFailureAt: times.firstFailureAt ?? at,
    lastFailureAt: times.lastFailureAt ?? at,
    ...(times.attempts !== undefined ? { attempts: times.attempts } : {}),
  };
}

/**
 * Atomic mode aborts the batch on a retryable failure, so the records come again; a non-retryable failure, or one of
 * a record already delivered `maxDeliveries` times, is dropped to the dead letter instead, so poison cannot block.
 */
export const abortsBatch = (context: PipelineContext, record: Envelope<unknown>, error: OrchestronError): boolean =>
  context.failureMode === 'atomic' && error.retryable && record.attempts < context.maxDeliveries;

/**
 * Atomic mode: a batch that a destination refused because of a record (RecordRefusedError) is narrowed down by its
 * source until the record is alone (see adapters/kafka/narrowing.ts). Once it is alone and has been delivered
 * `maxDeliveries` times, its refusal fails the record (dead letter) rather than the batch again.
 */
export const isolatedRefusal = (context: PipelineContext, records: readonly Envelope<unknown>[], error: OrchestronError): boolean =>
  context.failureMode === 'atomic' &&
  error instanceof RecordRefusedError &&
  records.length === 1 &&
  (records[0] as Envelope<unknown>).attempts >= context.maxDeliveries;
