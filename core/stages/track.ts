import type { Batch, BatchControl, DroppedRecord } from '../batch.ts';
import type { CircuitBreaker } from '../breaker.ts';
import type { Envelope } from '../envelope.ts';
import type { OrchestronError } from '../errors.ts';
import { checkOneOf } from '../checks.ts';
import { categoryOf, toOrchestronError } from '../errors.ts';
import type { BatchStage } from '../stage.ts';
import { batchStage } from '../stage.ts';
import { RepeatedWarnings } from '../repeated-warnings.ts';
import type { FailureEntry, FailureTracker, TrackEntry, TrackerStrategy } from '../tracker/tracker.ts';
import { TrackerStrategies } from '../tracker/tracker.ts';

export interface TrackOptions {
  readonly strategy: TrackerStrategy;
  /** Store the record's bytes with its row. */
  readonly capturePayload?: boolean;
  /** Guards tracker calls: while open, skip-and-log skips (and counts) writes, atomic aborts the batch. */
  readonly breaker?: CircuitBreaker;
}

/** The final tracking stage, plus `received`: the stage that pre-inserts RECEIVED rows, placed right after the source. */
export interface TrackStage<T> extends BatchStage<T, T> {
  readonly received: <U>(input: AsyncIterable<Batch<U>>) => AsyncIterable<Batch<U>>;
}

type Operation = 'received' | 'succeeded' | 'failed' | 'retrying';

/**
 * Writes each record's status to the failure tracker according to the strategy: RECEIVED before processing (through
 * `.received`), then SUCCESS for processed records, FAILED for failed or dead-lettered ones and RETRYING for those sent
 * to a retry topic. A failed batch (atomic
 * mode) marks all its records FAILED (not with LIGHTWEIGHT); they become SUCCESS when the redelivered batch goes through.
 */
export function track<T>(tracker: FailureTracker, options: TrackOptions): TrackStage<T> {
  const { strategy, capturePayload = false, breaker } = options;
  checkOneOf('trackerStrategy', strategy, TrackerStrategies);
  // One per stage, made with the first batch's platform: an outage skips a write per batch (or per record) otherwise logged each time.
  let warnings: RepeatedWarnings | undefined;
  const entry = (record: Envelope<unknown>): TrackEntry => ({
    dedupKey: record.dedupKey,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    attempts: record.attempts,
    ...(capturePayload ? { payload: record.raw } : {}),
  });
  const failure = (record: Envelope<unknown>, error: OrchestronError | undefined): FailureEntry => ({
    ...entry(record),
    category: error ? categoryOf(error) : 'PROCESSING_ERROR',
    errorMessage: error?.message ?? 'unknown failure',
  });

  /**
   * One tracker call through the breaker; false when it failed and the batch was failed for it (atomic). Takes the
   * batch's control, not the batch: at-least-once, the call outlives the stage, and the records need not.
   */
  const write = async (
    control: BatchControl,
    operation: Operation,
    count: number,
    call: () => Promise<void>,
  ): Promise<boolean> => {
    if (count === 0) return true;
    try {
      await (breaker ? breaker.call(call) : call());
      return true;
    } catch (thrown) {
      return skipOrFail(control, operation, count, toOrchestronError(thrown));
    }
  };

  const skipOrFail = (
    control: BatchControl,
    operation: Operation,
    count: number,
    error: OrchestronError,
  ): boolean => {
    const { context } = control;
    const { metrics, logger, clock } = context.platform;
    if (context.failurePolicy.dependencyFailure === 'fail-batch' && !control.failure) {
      control.fail(error);
      return false;
    }
    metrics.trackerSkipped.inc({ operation }, count);
    warnings ??= new RepeatedWarnings(logger, clock);
    warnings.warn(operation, { operation, records: count, error: error.message, code: error.code }, 'tracker write skipped');
    return true;
  };

  const received = <U>(input: AsyncIterable<Batch<U>>): AsyncIterable<Batch<U>> =>
    batchStage<U, U>(async (batch) => {
      if (strategy === 'OUTBOX') {
        const entries = batch.records.map(entry);
        await write(batch.control, 'received', entries.length, () => tracker.received(entries));
      } else if (strategy === 'RELIABLE') {
        for (const record of batch.records) {
          if (!(await write(batch.control, 'received', 1, () => tracker.received([entry(record)])))) break;
        }
      }
      return batch;
    })(input);

  // LIGHTWEIGHT keeps rows for failures only: a batch failing as a whole is delivered again, so it leaves no row, and a
  // record delivered again (it may have failed for good in an earlier delivery) is marked SUCCESS when it goes through.
  const keepsSuccess = (record: Envelope<unknown>) => strategy !== 'LIGHTWEIGHT' || record.attempts > 1;

  const settle = async (batch: Batch<T>): Promise<void> => {
    if (strategy === 'NONE') return;
    const failed: FailureEntry[] = [];
    const retrying: FailureEntry[] = [];
    const done: TrackEntry[] = [];
    const batchFailure = batch.failure;
    if (batchFailure) {
      if (strategy !== 'LIGHTWEIGHT') for (const record of batch.records) failed.push(failure(record, batchFailure));
    } else {
      for (const record of batch.records) if (keepsSuccess(record)) done.push(entry(record));
    }
    for (const drop of batch.dropped as readonly DroppedRecord[]) {
      if (drop.reason === 'failed' || drop.reason === 'dead-lettered') failed.push(failure(drop.record, drop.error));
      else if (drop.reason === 'retrying') retrying.push(failure(drop.record, drop.error));
      else if (batchFailure) {
        if (strategy !== 'LIGHTWEIGHT') failed.push(failure(drop.record, batchFailure));
      } else if (keepsSuccess(drop.record)) done.push(entry(drop.record));
    }
    const writes = Promise.all([
      write(batch.control, 'succeeded', done.length, () => tracker.succeeded(done)),
      write(batch.control, 'failed', failed.length, () => tracker.failed(failed)),
      write(batch.control, 'retrying', retrying.length, () => tracker.retrying(retrying)),
    ]);
    // At-least-once skips (and counts) failed writes, so nothing here can fail the batch: the writes only have to be
    // done before its offsets commit, and meanwhile the next batch is processed.
    if (batch.control.context.failurePolicy.sideEffects === 'before-commit' && !batchFailure) batch.control.beforeCommit(() => writes.then(() => {}));
    else await writes;
  };

  const stage = async function* (input: AsyncIterable<Batch<T>>): AsyncIterable<Batch<T>> {
    for await (const batch of input) {
      await settle(batch);
      yield batch;
    }
  };
  return Object.assign(stage, { received });
}
