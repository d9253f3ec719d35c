import type { DroppedRecord } from '../batch.ts';
import { Batch } from '../batch.ts';
import type { Envelope } from '../envelope.ts';
import type { OrchestronError } from '../errors.ts';
import { ConfigError, ProcessingError, TimeoutError, categoryOf } from '../errors.ts';
import { runInLanes } from '../lanes.ts';
import { checkOneOf, checkWholeNumber } from '../checks.ts';
import { SharedDeadlines } from '../shared-deadlines.ts';
import type { RetryOptions } from '../retry/backoff.ts';
import { retryOptions } from '../retry/backoff.ts';
import { withRetry } from '../retry/retry.ts';
import type { BatchStage } from '../stage.ts';
import { batchStage } from '../stage.ts';
import { failBatch, isFailed } from '../failed-batch.ts';
import { StageSpans, inSpan, startStageSpan } from '../tracing/batch-spans.ts';
import { countFailed, failRecordOrBatch } from './failures.ts';

export type OrderBy = 'key' | 'partition' | 'none';
export const OrderByValues: readonly OrderBy[] = ['key', 'partition', 'none'];

/** Skips a record: return it from a transform to filter the record out (its offset still advances). */
export const SKIP: unique symbol = Symbol('orchestron.skip');

export type TransformFn<I, O> = (
  value: I,
  record: Envelope<I>,
  signal: AbortSignal,
) => O | typeof SKIP | Promise<O | typeof SKIP>;

export interface TransformOptions {
  /** Attempts running at once within a batch; records waiting for a retry's backoff do not count. */
  readonly concurrency?: number;
  /** 'key': different keys of a partition in parallel, each key in order; 'partition': partition order; 'none': any order. */
  readonly orderBy?: OrderBy;
  /** Deadline of one attempt; its AbortSignal fires then and the attempt fails with TIMEOUT_ERROR. 0 disables. */
  readonly timeoutMs?: number;
  /** Retries of retryable failures (PROCESSING_ERROR, TIMEOUT_ERROR) with exponential backoff and full jitter. */
  readonly retry?: Partial<RetryOptions>;
}

/** A string identity for key bytes: one char per byte, so distinct keys stay distinct, without a UTF-8 decode. */
const keyIdentity = (key: Uint8Array | null): string => {
  if (key === null) return '';
  if (key.length <= 64) return String.fromCharCode(...key);
  let text = '';
  for (let i = 0; i < key.length; i += 4096) text += String.fromCharCode(...key.subarray(i, i + 4096));
  return text;
};

const laneOf = (orderBy: OrderBy) => (record: Envelope<unknown>, index: number): string | number => {
  if (orderBy === 'none') return index;
  if (orderBy === 'partition') return `${record.topic}\u0000${record.partition}`;
  return `${record.topic}\u0000${record.partition}\u0000${keyIdentity(record.key)}`;
};

/** A record's first attempt, started while records ran synchronously: still running, or thrown at once. */
type FirstAttempt<O> =
  | { readonly at: number; readonly result: Promise<O | typeof SKIP>; readonly thrown?: undefined }
  | { readonly at: number; readonly result?: undefined; readonly thrown: unknown };

/** The defaults of TransformOptions (the service's config schema shows and applies these). */
export const transformDefaults = { concurrency: 16, orderBy: 'key', timeoutMs: 30_000 } as const;

function checkOptions(options: TransformOptions): Required<Omit<TransformOptions, 'retry'>> {
  const concurrency = checkWholeNumber('concurrency', options.concurrency ?? transformDefaults.concurrency);
  const orderBy = checkOneOf('orderBy', options.orderBy ?? transformDefaults.orderBy, OrderByValues);
  const timeoutMs = options.timeoutMs ?? transformDefaults.timeoutMs;
  if (!(timeoutMs >= 0)) throw new ConfigError('timeoutMs', `must be ≥ 0; got ${JSON.stringify(timeoutMs)}`);
  return { concurrency, orderBy, timeoutMs };
}

/**
 * Applies `fn` to every live record with bounded concurrency, per-key (or per-partition) order, a per-attempt
 * timeout and retries. Failures follow the pipeline's failure policy (see `failRecordOrBatch`). A record waiting for
 * its backoff holds only the later records of its lane; on a stop (`BatchControl.stopping`) the failure policy's
 * `stopWhileRetrying` decides whether the waits end and the batch commits up to its first unfinished record.
 */
export function transform<I, O>(fn: TransformFn<I, O>, options: TransformOptions = {}): BatchStage<I, O> {
  const { concurrency, orderBy, timeoutMs } = checkOptions(options);
  const retry = retryOptions(options.retry);
  const lanes = laneOf(orderBy);

  return batchStage((batch) => inSpan(startStageSpan(batch.control, StageSpans.transform, batch.records), () => run(batch)));

  async function run(batch: Batch<I>): Promise<Batch<O>> {
    const context = batch.control.context;
    const { clock, random, metrics } = context.platform;
    const control = batch.control;
    const records = batch.records;
    const outputs = new Array<Envelope<O> | undefined>(records.length);
    const drops = new Array<DroppedRecord | undefined>(records.length);
    const deadlines = new SharedDeadlines(clock, timeoutMs, () => new TimeoutError(`transform timed out after ${timeoutMs} ms`), control.signal);
    const succeeded = (record: Envelope<I>, index: number, value: O | typeof SKIP): void => {
      if (value === SKIP) drops[index] = { record, reason: 'filtered' };
      else outputs[index] = { ...record, value };
    };

    // Records run one by one, in order, while `fn` answers synchronously: no lanes, retries or timers to pay for. The
    // first record whose attempt is asynchronous or throws, and every record after it, go through the lanes below;
    // that record's attempt already started, so it counts as its first.
    let synchronous = 0;
    let started: FirstAttempt<O> | undefined;
    while (synchronous < records.length && !control.signal.aborted) {
      const record = records[synchronous] as Envelope<I>;
      const at = clock.monotonic();
      try {
        const result = deadlines.run((signal) => fn(record.value, record, signal));
        if (result instanceof Promise) {
          result.catch(() => {});
          started = { at, result };
          break;
        }
        metrics.transformDuration.observe({}, (clock.monotonic() - at) / 1000);
        succeeded(record, synchronous, result);
        synchronous += 1;
      } catch (thrown) {
        metrics.transformDuration.observe({}, (clock.monotonic() - at) / 1000);
        started = { at, thrown };
        break;
      }
    }

    const attempt = async (record: Envelope<I>, first: FirstAttempt<O> | undefined, n: number): Promise<O | typeof SKIP> => {
      if (n === 1 && first?.result) {
        try {
          return await first.result;
        } finally {
          metrics.transformDuration.observe({}, (clock.monotonic() - first.at) / 1000);
        }
      }
      if (n === 1 && first) throw first.thrown;
      const at = clock.monotonic();
      try {
        return await deadlines.run((signal) => fn(record.value, record, signal));
      } finally {
        metrics.transformDuration.observe({}, (clock.monotonic() - at) / 1000);
      }
    };

    const rest = synchronous < records.length ? records.slice(synchronous) : [];
    // A stop ends the backoffs (not the attempts running) when the failure policy lets the batch commit what finished.
    const stopping = context.failurePolicy.stopWhileRetrying === 'commit-finished' ? control.stopping : undefined;
    const waits = rest.length > 0 && stopping ? AbortSignal.any([control.signal, stopping]) : control.signal;
    await runInLanes(
      rest,
      lanes,
      concurrency,
      async (record, offset, place) => {
        const index = synchronous + offset;
        const first = offset === 0 ? started : undefined;
        const outcome = await withRetry((n) => attempt(record, first, n), retry, {
          clock,
          random,
          signal: waits,
          // A record waiting for its backoff holds its key's lane only: other lanes take its place meanwhile.
          wait: place.aside,
          onFailure: (error: OrchestronError, n) => {
            metrics.transformFail.inc({ category: categoryOf(error) });
            if (error.retryable && n < retry.attempts) metrics.transformRetries.inc({});
          },
        });
        if (outcome.ok) {
          succeeded(record, index, outcome.value as O | typeof SKIP);
          return true;
        }
        const error = outcome.error as OrchestronError;
        if (control.failure) return false;
        // Stopped during its backoff: unfinished, and so are the later records of its lane.
        if (outcome.interrupted && stopping?.aborted) return false;
        drops[index] = failRecordOrBatch(control, record, error, outcome);
        return true;
      },
      control.signal,
    ).finally(() => deadlines.close());

    if (isFailed(batch)) return batch;
    const unfinished = records.findIndex((_, i) => outputs[i] === undefined && drops[i] === undefined);
    if (unfinished >= 0) {
      if (stopping?.aborted) return cutShort(batch, outputs, drops);
      // Interrupted before every record ran: committing would move the offsets past records never processed.
      return failBatch(batch, new ProcessingError('transform interrupted before every record of the batch ran', { retryable: true }));
    }
    const dropped = drops.filter((drop) => drop !== undefined);
    countFailed(context, dropped);
    return batch.next(outputs.filter((output) => output !== undefined), dropped);
  }
}

/**
 * A batch stopped while records waited for their backoff: it commits each partition up to its first unfinished record
 * (`BatchControl.limit`), and keeps only the records before that, live or dropped; the records from there on, finished
 * or not, are delivered again, so nothing past the cut leaves side effects (a dead letter, a dedup key) behind.
 */
function cutShort<I, O>(batch: Batch<I>, outputs: readonly (Envelope<O> | undefined)[], drops: readonly (DroppedRecord | undefined)[]): Batch<O> {
  const control = batch.control;
  // Each unfinished record's position: `limit` keeps the lowest of each partition.
  control.limit(batch.records.filter((_, i) => outputs[i] === undefined && drops[i] === undefined));
  const kept = outputs.filter((output): output is Envelope<O> => output !== undefined && control.commits(output));
  const failed = drops.filter((drop): drop is DroppedRecord => drop !== undefined && control.commits(drop.record));
  const dropped = [...batch.dropped.filter((drop) => control.commits(drop.record)), ...failed];
  control.context.platform.logger.info(
    { batch: control.id, committing: control.committing.map((p) => `${p.topic}/${p.partition}@${p.offset}`) },
    'stopping while records wait for a retry: the batch commits up to its first unfinished record per partition',
  );
  countFailed(control.context, failed);
  return new Batch(control, kept, dropped);
}
