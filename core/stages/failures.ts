import type { BatchControl, DroppedRecord } from '../batch.ts';
import type { Envelope } from '../envelope.ts';
import type { FailureCategory, OrchestronError } from '../errors.ts';
import { categoryOf } from '../errors.ts';
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

/** When a record failed and how often the stage tried it; `withRetry`'s outcome carries these. Default: now, no count. */
export interface FailureTimes {
  /** Epoch ms of the first and of the last failed attempt. */
  readonly firstFailureAt?: number;
  readonly lastFailureAt?: number;
  /** Attempts the stage made, retries included. */
  readonly attempts?: number;
}

/**
 * A record that failed for good: logged at warn (identity only, never the payload) and dropped as failed. The stage
 * counts its failures with `countFailed` once the batch's outcome is known.
 */
export function failRecord(context: PipelineContext, record: Envelope<unknown>, error: OrchestronError, times: FailureTimes = {}): DroppedRecord {
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
 * A record that failed in a stage, after the stage's own retries, handled as the built-in stages handle it: as the
 * failure policy says (`FailurePolicy.recordFailure`), either the whole batch fails (`BatchControl.fail`: atomic mode,
 * a retryable error, a record delivered fewer than `maxDeliveries` times) and this returns undefined — the stage then
 * returns the batch as it is, and the commit stage aborts it — or the record is returned dropped as failed
 * (`failRecord`), to pass on with `batch.next(records, dropped)` and count with `countFailed`; a deadLetter stage
 * downstream sends it to the dead-letter topic.
 */
export function failRecordOrBatch(
  control: BatchControl,
  record: Envelope<unknown>,
  error: OrchestronError,
  times: FailureTimes = {},
): DroppedRecord | undefined {
  if (control.context.failurePolicy.recordFailure(record, error) === 'fail-batch') {
    control.fail(error);
    return undefined;
  }
  return failRecord(control.context, record, error, times);
}
