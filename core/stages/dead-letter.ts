import type { DroppedRecord } from '../batch.ts';
import { deadLetterHeaders } from '../dead-letter/headers.ts';
import { truncateToFit } from '../dead-letter/truncate.ts';
import type { Envelope, OutboundRecord } from '../envelope.ts';
import type { OrchestronError, SourcePartition } from '../errors.ts';
import { DeadLetterRefusedError, ErrorCodes } from '../errors.ts';
import type { RetryOptions } from '../retry/backoff.ts';
import { retryOptions } from '../retry/backoff.ts';
import { withRetry } from '../retry/retry.ts';
import type { Sink } from '../sink.ts';
import type { BatchStage } from '../stage.ts';
import { batchStage } from '../stage.ts';
import { StageSpans, startStageSpan } from '../tracing/batch-spans.ts';
import type { Span } from '../tracing/tracer.ts';
import { carryTrace, sameTopic } from '../tracing/trace-context.ts';
import { countFailures, failureLabels } from './failures.ts';

export interface DeadLetterOptions {
  /** Dead-letter topic per failed record; default `<source topic>-dlq`. */
  readonly topic?: string | ((record: Envelope<unknown>) => string);
  readonly retry?: Partial<RetryOptions>;
}

export const defaultDeadLetterTopic = (record: Envelope<unknown>): string => `${record.topic}-dlq`;

/**
 * Sends the batch's failed records to `sink` with key, value (the bytes as consumed) and headers untouched plus the
 * dead-letter headers, and marks them dead-lettered. A dead letter larger than its topic takes (when the sink knows
 * the limit) has its value cut to fit, which its headers say. If the sink cannot take them the batch fails: nothing is
 * committed, so no failed record is lost.
 */
export function deadLetter<T>(sink: Sink, options: DeadLetterOptions = {}): BatchStage<T, T> {
  const topicOption = options.topic ?? defaultDeadLetterTopic;
  const topicOf = typeof topicOption === 'function' ? topicOption : () => topicOption;
  const retry = retryOptions({ attempts: 5, initialDelayMs: 100, maxDelayMs: 5_000, ...options.retry });

  return batchStage(async (batch) => {
    const failed = batch.dropped.filter((drop) => drop.reason === 'failed');
    if (failed.length === 0) return batch;
    const control = batch.control;
    const context = control.context;
    const untraced: OutboundRecord[] = failed.map((drop) => ({
      topic: topicOf(drop.record),
      key: drop.record.key,
      value: drop.record.raw,
      headers: deadLetterHeaders(drop, context),
    }));
    const { clock, random, metrics, tracer } = context.platform;
    const span = tracer.enabled
      ? startStageSpan(control, StageSpans.deadLetter, batch.records, { destination: sameTopic(untraced), count: untraced.length, links: failed.map((drop) => drop.record) })
      : undefined;
    const outbound = span ? carryTrace(untraced, span.context, sink.headerBytes?.bind(sink)) : untraced;
    // The closures below outlive this call until the acknowledgement (at-least-once): they hold the control, the
    // outbound records and metric labels, not the batch, so that its records can be collected meanwhile.
    const sending = withRetry(async () => sink.send(await fitted(sink, outbound), control), retry, { clock, random, signal: control.signal });
    if (span) endWhenSent(span, sending);
    // Labels taken now: an error's stack can reach the whole batch, which need not outlive the stages.
    const labels = failed.map(failureLabels);
    const partitions = sourcePartitions(failed);
    const counted = (outcome: Awaited<typeof sending>): boolean => {
      if (!outcome.ok) return false;
      countFailures(metrics.recordsDeadLettered, labels);
      return true;
    };
    if (context.failurePolicy.sideEffects === 'before-commit') {
      // At-least-once: the acknowledgement is awaited just before the offsets commit, while the batch goes on (tracker
      // rows, the next batch); a send that fails for good fails that commit, and the batch comes again.
      const acknowledged = sending.then((outcome) => {
        if (!counted(outcome)) throw refusedFor(outcome.error as OrchestronError, partitions);
      });
      acknowledged.catch(() => {});
      control.beforeCommit(() => acknowledged);
    } else {
      // Exactly-once the send is awaited here: a later stage failing the batch must not abort its transaction while a
      // send is still in it, nor let the send begin a transaction after the abort.
      const outcome = await sending;
      if (!counted(outcome)) {
        control.fail(refusedFor(outcome.error as OrchestronError, partitions));
        return batch;
      }
    }
    const dropped: DroppedRecord[] = batch.dropped.map((drop) => (drop.reason === 'failed' ? { ...drop, reason: 'dead-lettered' } : drop));
    return batch.withDropped(dropped);
  });
}

/** The dead letters, each cut to what its topic takes when the sink knows the limit (see truncateToFit). */
async function fitted(sink: Sink, outbound: readonly OutboundRecord[]): Promise<readonly OutboundRecord[]> {
  const maxRecordBytes = sink.maxRecordBytes?.bind(sink);
  if (!maxRecordBytes) return outbound;
  const limits = new Map<string, number | undefined>();
  for (const { topic } of outbound) if (!limits.has(topic)) limits.set(topic, await maxRecordBytes(topic));
  return outbound.map((record) => truncateToFit(record, limits.get(record.topic)));
}

function endWhenSent(span: Span, sending: Promise<{ readonly ok: boolean; readonly error?: unknown }>): void {
  void sending.then((outcome) => {
    if (!outcome.ok) span.fail(outcome.error as OrchestronError);
    span.end();
  });
}

/** The source partitions of `failed`, each once. */
function sourcePartitions(failed: readonly DroppedRecord[]): SourcePartition[] {
  const seen = new Map<string, SourcePartition>();
  for (const { record } of failed) seen.set(`${record.topic}\u0000${record.partition}`, { topic: record.topic, partition: record.partition });
  return [...seen.values()];
}

/**
 * A send the sink refused for good (after the retries) names the partitions whose dead letters it could not take, so
 * that the source stops them instead of redelivering the batch in a loop; a retryable failure (a broker restarting)
 * or a fatal one (fencing, credentials) is left as it is.
 */
function refusedFor(error: OrchestronError, partitions: readonly SourcePartition[]): OrchestronError {
  if (error.retryable || (error.code !== ErrorCodes.SINK_ERROR && error.code !== ErrorCodes.RECORD_TOO_LARGE)) return error;
  return new DeadLetterRefusedError(`the dead-letter sink refused the failed records for good: ${error.message}`, partitions, { cause: error });
}
