import type { DroppedRecord } from '../batch.ts';
import type { Envelope } from '../envelope.ts';
import type { OrchestronError } from '../errors.ts';
import { categoryOf } from '../errors.ts';
import type { PipelineContext } from '../context.ts';
import { recordFields } from '../logger.ts';

/** A record that failed for good: counted, logged at warn (identity only, never the payload), dropped as failed. */
export function failRecord(
  context: PipelineContext,
  record: Envelope<unknown>,
  error: OrchestronError,
  times: { readonly firstFailureAt?: number; readonly lastFailureAt?: number; readonly attempts?: number } = {},
): DroppedRecord {
  const { metrics, logger, clock } = context.platform;
  const category = categoryOf(error);
  metrics.recordsFailed.inc({ topic: record.topic, category });
  // Decode and validation messages quote the input; they reach the log only when payload logging is on.
  const quotesInput = category === 'DESERIALIZATION_ERROR' || category === 'VALIDATION_ERROR';
  const message = quotesInput && !context.logPayloads ? `${category} (message quotes the payload; not logged)` : error.message;
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
