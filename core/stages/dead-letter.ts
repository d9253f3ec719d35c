import type { DroppedRecord } from '../batch.ts';
import { deadLetterHeaders } from '../dead-letter/headers.ts';
import { truncateToFit } from '../dead-letter/truncate.ts';
import type { Envelope, OutboundRecord } from '../envelope.ts';
import type { OrchestronError, SourcePartition } from '../errors.ts';
import { ConfigError, DeadLetterRefusedError, ErrorCodes } from '../errors.ts';
import { recordFields } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { RetryOptions } from '../retry/backoff.ts';
import { retryOptions } from '../retry/backoff.ts';
import { singleRecordBatchBytes } from '../record-size.ts';
import { withRetry } from '../retry/retry.ts';
import { retryRecordHeaders } from '../retry-topics/headers.ts';
import { originOf } from '../retry-topics/origin.ts';
import type { RetryHop, RetryTopicsOptions } from '../retry-topics/route.ts';
import { checkRetryTopics, nextRetry } from '../retry-topics/route.ts';
import type { Sink } from '../sink.ts';
import { recordLimits } from '../sink.ts';
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
  /**
   * Non-blocking retries (skip-and-log only): a record that failed with a retryable error goes to its next retry topic
   * instead, `<topic>-retry-<delayMs>`, until the last delay; see docs/retries.md.
   */
  readonly retryTopics?: RetryTopicsOptions;
}

/** `<original topic>-dlq`: a record read from a retry topic is dead-lettered beside the topic it first came from. */
export const defaultDeadLetterTopic = (record: Envelope<unknown>): string => `${originOf(record).topic}-dlq`;

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
  const retryTopics = options.retryTopics ? checkRetryTopics(options.retryTopics) : undefined;

  return batchStage(async (batch) => {
    const control = batch.control;
    const context = control.context;
    if (retryTopics && !context.failurePolicy.retryTopics) {
      throw new ConfigError('retryTopics', `needs the skip-and-log failure mode, not ${context.failurePolicy.mode}: a retry record is written outside the batch's transaction`);
    }
    const failed = batch.dropped.filter((drop) => drop.reason === 'failed');
    if (failed.length === 0) return batch;
    const { clock, random, metrics, tracer } = context.platform;
    const now = clock.now();
    let hops = failed.map((drop) => (retryTopics ? nextRetry(drop, originOf(drop.record).topic, retryTopics, now) : undefined));
    const build = (drop: DroppedRecord, hop: RetryHop | undefined): OutboundRecord => ({
      topic: hop ? hop.topic : topicOf(drop.record),
      key: drop.record.key,
      value: drop.record.raw,
      headers: hop ? retryRecordHeaders(drop, context, hop) : deadLetterHeaders(drop, context),
    });
    const untraced: OutboundRecord[] = failed.map((drop, i) => build(drop, hops[i]));
    const span = tracer.enabled
      ? startStageSpan(control, StageSpans.deadLetter, batch.records, { destination: sameTopic(untraced), count: untraced.length, links: failed.map((drop) => drop.record) })
      : undefined;
    const traced = (records: OutboundRecord[]) => (span ? carryTrace(records, span.context, sink.headerBytes?.bind(sink)) : records);
    let outbound = traced(untraced);
    const uncut = retryTopics ? await tooLargeToRetry(sink, outbound, hops) : undefined;
    if (uncut && uncut.size > 0) {
      // A retry record is never cut to fit (the retry consumer would process the cut bytes): it is dead-lettered.
      for (const i of uncut) {
        const fields = recordFields((failed[i] as DroppedRecord).record);
        context.platform.logger.warn({ ...fields, retryTopic: (outbound[i] as OutboundRecord).topic }, 'record larger than its retry topic takes; dead-lettered instead');
      }
      hops = hops.map((hop, i) => (uncut.has(i) ? undefined : hop));
      outbound = outbound.map((record, i) => (uncut.has(i) ? (traced([build(failed[i] as DroppedRecord, undefined)])[0] as OutboundRecord) : record));
    }
    // The closures below outlive this call until the acknowledgement (at-least-once): they hold the control, the
    // outbound records and metric labels, not the batch, so that its records can be collected meanwhile.
    const sending = withRetry(async () => sink.send(await fitted(sink, outbound), control), retry, { clock, random, signal: control.signal });
    if (span) endWhenSent(span, sending);
    // Labels taken now: an error's stack can reach the whole batch, which need not outlive the stages.
    const labels = failed.filter((_, i) => !hops[i]).map(failureLabels);
    const retried = retriedLabels(failed, hops);
    const partitions = sourcePartitions(failed);
    const counted = (outcome: Awaited<typeof sending>): boolean => {
      if (!outcome.ok) return false;
      if (labels.length > 0) countFailures(metrics.recordsDeadLettered, labels);
      countRetried(metrics, retried);
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
    const hopOf = new Map(failed.map((drop, i) => [drop, hops[i]]));
    const dropped: DroppedRecord[] = batch.dropped.map((drop) => {
      if (drop.reason !== 'failed') return drop;
      const hop = hopOf.get(drop);
      return hop ? { ...drop, reason: 'retrying', retry: { topic: hop.topic, delayMs: hop.delayMs } } : { ...drop, reason: 'dead-lettered' };
    });
    return batch.withDropped(dropped);
  });
}

/** `orchestron_records_retried_total`'s series of the records sent to retry topics: original topic and delay. */
function retriedLabels(failed: readonly DroppedRecord[], hops: readonly (RetryHop | undefined)[]): Map<string, { topic: string; delay: string; n: number }> {
  const series = new Map<string, { topic: string; delay: string; n: number }>();
  failed.forEach((drop, i) => {
    const hop = hops[i];
    if (!hop) return;
    const topic = originOf(drop.record).topic;
    const key = `${topic}\u0000${hop.delayMs}`;
    const entry = series.get(key);
    if (entry) entry.n++;
    else series.set(key, { topic, delay: String(hop.delayMs), n: 1 });
  });
  return series;
}

function countRetried(metrics: Metrics, series: ReadonlyMap<string, { topic: string; delay: string; n: number }>): void {
  for (const { topic, delay, n } of series.values()) metrics.recordsRetried.inc({ topic, delay }, n);
}

/** The indexes of the retry records (those with a hop) larger than their retry topic takes, when the sink knows the limit. */
async function tooLargeToRetry(sink: Sink, outbound: readonly OutboundRecord[], hops: readonly (RetryHop | undefined)[]): Promise<Set<number>> {
  const retries = outbound.filter((_, i) => hops[i] !== undefined);
  // Limits that cannot be read now are left to the send, which reads them again with its retries.
  const limits = retries.length > 0 ? await recordLimits(sink, retries.map((record) => record.topic)).catch(() => undefined) : undefined;
  const tooLarge = new Set<number>();
  if (!limits) return tooLarge;
  outbound.forEach((record, i) => {
    const limit = limits.get(record.topic);
    if (hops[i] && limit !== undefined && singleRecordBatchBytes(record) > limit) tooLarge.add(i);
  });
  return tooLarge;
}

/** The dead letters, each cut to what its topic takes when the sink knows the limit (see truncateToFit). */
async function fitted(sink: Sink, outbound: readonly OutboundRecord[]): Promise<readonly OutboundRecord[]> {
  const limits = await recordLimits(sink, outbound.map((record) => record.topic));
  return limits ? outbound.map((record) => truncateToFit(record, limits.get(record.topic))) : outbound;
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
