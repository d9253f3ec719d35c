import type { Batch, DropReason } from '../batch.ts';
import type { OrchestronError } from '../errors.ts';
import { SinkError, toOrchestronError } from '../errors.ts';
import type { Stage } from '../stage.ts';

/** What happened to one batch, as the last stage reports it. */
export interface BatchResult {
  readonly id: number;
  readonly committed: boolean;
  /** Records processed and committed (0 when the batch was aborted). */
  readonly ok: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Why the batch was aborted. */
  readonly error?: OrchestronError;
}

const countDrops = (batch: Batch<unknown>): Record<DropReason, number> => {
  const counts: Record<DropReason, number> = { deduplicated: 0, failed: 0, 'dead-lettered': 0, filtered: 0 };
  for (const drop of batch.dropped) counts[drop.reason]++;
  return counts;
};

/**
 * The last stage: commits each batch that went through (offsets, and the transaction in atomic mode) or aborts a
 * failed one so its records come again. Batches settle strictly in order, so a commit never passes unfinished work.
 *
 * At-least-once (`skip-and-log`) batches are pipelined: a batch's commit (with the acknowledgements its stages left
 * for it, see `BatchControl.beforeCommit`) runs while the next batch is processed, and that next batch commits only
 * after it. When a batch is aborted, its source refuses to commit any batch it had read before rewinding (their
 * records come again after the aborted ones), so nothing is committed past unfinished work.
 * Exactly-once batches settle one at a time (a transactional producer has one transaction open at once).
 */
export function commit<T>(): Stage<Batch<T>, BatchResult> {
  return async function* (input) {
    const iterator = input[Symbol.asyncIterator]();
    // At-least-once batches still settling, oldest first, while the next ones are pulled through the stages.
    const settling: Promise<BatchResult>[] = [];
    let next: Promise<IteratorResult<Batch<T>>> | undefined;
    let ended = false;
    try {
      for (;;) {
        if (!next && !ended && settling.length < maxSettling) next = iterator.next();
        const oldest = settling[0];
        // Report a settled batch at once, even when the next one is slow to come (an idle source).
        if (oldest && (!next || (await settlesFirst(oldest, next)))) {
          settling.shift();
          yield await oldest;
          continue;
        }
        if (!next) break;
        const step = await next;
        next = undefined;
        if (step.done) {
          ended = true;
          continue;
        }
        const batch = step.value;
        const settled = settle(batch, settling.at(-1));
        // Awaited in turn; this only keeps a failure from counting as unhandled meanwhile.
        settled.catch(() => {});
        batch.control.settleWith(settled);
        if (batch.control.context.failureMode === 'skip-and-log') settling.push(settled);
        else yield await settled;
      }
    } finally {
      await Promise.allSettled(settling);
      if (next) void leaveLater(iterator, next);
      else await iterator.return?.();
    }
  };
}

/** At-least-once batches settling at once at most; each holds its records until it is committed. */
const maxSettling = 4;

const settlesFirst = (settling: Promise<unknown>, next: Promise<unknown>): Promise<boolean> =>
  Promise.race([settling.then(() => true, () => true), next.then(() => false, () => false)]);

/**
 * The consumer stopped early while the next batch was still being pulled (a source can wait long for records): that
 * batch is aborted once it arrives, never committed, and the input is closed then; nobody waits for it.
 */
async function leaveLater<T>(iterator: AsyncIterator<Batch<T>>, next: Promise<IteratorResult<Batch<T>>>): Promise<void> {
  try {
    const step = await next;
    if (!step.done) await step.value.control.abort(new SinkError('the pipeline stopped before this batch settled', { retryable: true }));
    await iterator.return?.();
  } catch {
    // The input failed or closed meanwhile: nothing is left to settle.
  }
}

/** Commits or aborts one batch, once the batch before it has settled. */
async function settle<T>(batch: Batch<T>, previous: Promise<BatchResult> | undefined): Promise<BatchResult> {
  const control = batch.control;
  const { metrics, logger, clock } = control.context.platform;
  let error = batch.failure;
  try {
    await previous;
  } catch (thrown) {
    // The batch before could not even be aborted: committing this one could pass its records.
    error ??= toOrchestronError(thrown);
  }
  if (!error) {
    try {
      await control.commit();
    } catch (thrown) {
      error = toOrchestronError(thrown);
    }
  }
  if (error) {
    await control.abort(error);
    metrics.batchFailed.inc({});
    logger.warn({ batch: control.id, records: batch.size, error: error.message, code: error.code }, 'batch aborted');
    return { id: control.id, committed: false, ok: 0, dropped: countDrops(batch), error };
  }
  const now = clock.monotonic();
  metrics.batchOk.inc({});
  const perTopic = new Map<string, number>();
  let oldest = now;
  for (const record of batch.records) {
    perTopic.set(record.topic, (perTopic.get(record.topic) ?? 0) + 1);
    if (record.enteredAt < oldest) oldest = record.enteredAt;
  }
  for (const [topic, count] of perTopic) metrics.recordsOk.inc({ topic }, count);
  // One observation per batch: its records enter together, and a per-record observe cost more than the rest of commit.
  if (batch.records.length > 0) metrics.endToEndLatency.observe({}, (now - oldest) / 1000);
  return { id: control.id, committed: true, ok: batch.records.length, dropped: countDrops(batch) };
}
