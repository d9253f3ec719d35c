import type { Batch, BatchControl, DropReason } from '../batch.ts';
import type { OrchestronError } from '../errors.ts';
import { SinkError, toOrchestronError } from '../errors.ts';
import type { Stage } from '../stage.ts';
import { OrchestronAttributes, StageSpans, startStageSpan } from '../tracing/batch-spans.ts';
import type { Span } from '../tracing/tracer.ts';
import type { FailureLabels } from './failures.ts';
import { countFailures, failureLabels } from './failures.ts';

/** What happened to one batch, as the last stage reports it. */
export interface BatchResult {
  readonly id: number;
  readonly committed: boolean;
  /** Records processed and committed (0 when the batch was aborted). */
  readonly ok: number;
  /** Per reason; `retrying` only when some records went to a retry topic. */
  readonly dropped: Readonly<Record<Exclude<DropReason, 'retrying'>, number> & { readonly retrying?: number }>;
  /** Why the batch was aborted. */
  readonly error?: OrchestronError;
}

const countDrops = (batch: Batch<unknown>): BatchResult['dropped'] => {
  const counts: Record<Exclude<DropReason, 'retrying'>, number> & { retrying?: number } = { deduplicated: 0, failed: 0, 'dead-lettered': 0, filtered: 0 };
  for (const drop of batch.dropped) {
    if (drop.reason === 'retrying') counts.retrying = (counts.retrying ?? 0) + 1;
    else counts[drop.reason]++;
  }
  return counts;
};

/**
 * The last stage: commits each batch that went through (offsets, and the transaction in atomic mode) or aborts a
 * failed one so its records come again. Batches settle strictly in order, so a commit never passes unfinished work.
 *
 * Batches are pipelined: a batch's commit (with the acknowledgements its stages left for it, see
 * `BatchControl.beforeCommit`) runs while the next batches are processed. The next batch hands its offsets to the
 * source once this one has handed over its own or was aborted, so a source can commit several batches together (one
 * offset request at-least-once, one transaction exactly-once; see `Settlement`). When a batch is aborted, its source
 * refuses to commit any batch it had read before rewinding (their records come again after the aborted ones), so
 * nothing is committed past unfinished work.
 */
export function commit<T>(): Stage<Batch<T>, BatchResult> {
  return async function* (input) {
    const iterator = input[Symbol.asyncIterator]();
    // At-least-once batches still settling, oldest first, while the next ones are pulled through the stages.
    const settling: Settling[] = [];
    let next: Promise<IteratorResult<Batch<T>>> | undefined;
    let ended = false;
    try {
      for (;;) {
        if (!next && !ended && roomFor(settling)) next = iterator.next();
        const oldest = settling[0]?.settled;
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
        settled.settled.catch(() => {});
        batch.control.settleWith(settled.settled);
        settling.push(settled);
      }
    } finally {
      // A transaction commits once every batch in it is done, and the next batch may be in it: it is aborted as it
      // comes, rather than after the batches before it settle.
      const pulled = next;
      const leavingNow = pulled !== undefined && settling.some((s) => s.sharesTransaction);
      if (leavingNow) void leaveLater(iterator, pulled);
      await Promise.allSettled(settling.map((s) => s.settled));
      if (pulled === undefined) await iterator.return?.();
      else if (!leavingNow) void leaveLater(iterator, pulled);
    }
  };
}

/**
 * Batches settling at once, at most: a source commits once per commit interval, and small batches (a low rate, a short
 * linger) must flow meanwhile. At-least-once, bounded in records too: each batch keeps what its commit hooks need until
 * it is committed. Not in atomic mode, where a transaction commits only once every batch in it reached this stage
 * (sources keep transactions smaller than this many batches).
 */
const maxSettling = 64;
const maxSettlingRecords = 20_000;

const roomFor = (settling: readonly Settling[]): boolean =>
  settling.length < maxSettling &&
  (settling[0]?.sharesTransaction || settling.reduce((records, s) => records + s.size, 0) < maxSettlingRecords);

/** One batch on its way to settling. */
interface Settling {
  /** Records of the batch. */
  readonly size: number;
  /** The batch commits in a transaction the next batches may join (the failure policy's `pipelining`). */
  readonly sharesTransaction: boolean;
  /** True once the batch has handed its offsets to the source or was aborted; false if it could not even be aborted. */
  readonly handedOver: Promise<boolean>;
  readonly settled: Promise<BatchResult>;
}

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

/** What the commit stage reports of a batch, taken when the batch arrives, so that its records are not held while it settles. */
interface Summary {
  readonly control: BatchControl;
  readonly size: number;
  readonly ok: number;
  readonly dropped: BatchResult['dropped'];
  readonly perTopic: ReadonlyMap<string, number>;
  /** Records filtered out on purpose, per source topic: counted so that a topic whose records are all held or filtered does not look idle. */
  readonly filteredPerTopic: ReadonlyMap<string, number>;
  /** When the batch's oldest record entered the pipeline (monotonic ms); undefined for a batch without live records. */
  readonly oldest: number | undefined;
  /** Records still marked failed here: no deadLetter stage took them, so committing the batch drops them. */
  readonly unsent: readonly { readonly labels: FailureLabels; readonly at: string }[];
}

function summarize<T>(batch: Batch<T>): Summary {
  const perTopic = new Map<string, number>();
  let oldest: number | undefined;
  for (const record of batch.records) {
    perTopic.set(record.topic, (perTopic.get(record.topic) ?? 0) + 1);
    if (oldest === undefined || record.enteredAt < oldest) oldest = record.enteredAt;
  }
  const filteredPerTopic = new Map<string, number>();
  for (const drop of batch.dropped) {
    if (drop.reason === 'filtered') filteredPerTopic.set(drop.record.topic, (filteredPerTopic.get(drop.record.topic) ?? 0) + 1);
  }
  const unsent = batch.dropped
    .filter((drop) => drop.reason === 'failed')
    .map((drop) => ({ labels: failureLabels(drop), at: `${drop.record.topic}/${drop.record.partition}@${drop.record.offset}` }));
  return { control: batch.control, size: batch.size, ok: batch.records.length, dropped: countDrops(batch), perTopic, filteredPerTopic, oldest, unsent };
}

/**
 * Failed records that reach the commit still marked failed had no deadLetter stage: committing passes them for good.
 * That is allowed (a pipeline may choose to drop failures) but never silent: one error line per batch and
 * `orchestron_records_dropped_total`.
 */
function reportDropped(batch: Summary): void {
  if (batch.unsent.length === 0) return;
  const { metrics, logger } = batch.control.context.platform;
  countFailures(metrics.recordsDropped, batch.unsent.map((u) => u.labels));
  logger.error(
    {
      batch: batch.control.id,
      dropped: batch.unsent.length,
      categories: [...new Set(batch.unsent.map((u) => u.labels.category))],
      records: batch.unsent.slice(0, 5).map((u) => u.at),
    },
    'failed records committed without a dead letter (the pipeline has no deadLetter stage): dropped',
  );
}

/** Commits or aborts one batch, handing its offsets to the source once the batch before has handed over its own. */
function settle<T>(batch: Batch<T>, previous: Settling | undefined): Settling {
  let handOver!: (clean: boolean) => void;
  const handedOver = new Promise<boolean>((resolve) => (handOver = resolve));
  const settled = settleAfter(summarize(batch), previous, () => handOver(true));
  settled.then(
    () => handOver(true),
    () => handOver(false),
  );
  return { size: batch.size, sharesTransaction: batch.control.context.failurePolicy.pipelining === 'transaction', handedOver, settled };
}

async function settleAfter(batch: Summary, previous: Settling | undefined, handedOver: () => void): Promise<BatchResult> {
  const control = batch.control;
  const { metrics, logger, clock } = control.context.platform;
  let error = control.failure;
  if (previous && !(await previous.handedOver)) {
    // The batch before could not even be aborted: committing this one could pass its records.
    error ??= new SinkError('the batch before this one could not be aborted', { retryable: true });
  }
  const span = startStageSpan(control, StageSpans.commit, [], { count: batch.size });
  if (!error) {
    try {
      await control.commit(handedOver);
    } catch (thrown) {
      error = toOrchestronError(thrown);
    }
  }
  if (error) {
    await control.abort(error);
    if (span) endSettleSpan(span, error);
    metrics.batchFailed.inc({});
    logger.warn({ batch: control.id, records: batch.size, error: error.message, code: error.code }, 'batch aborted');
    return { id: control.id, committed: false, ok: 0, dropped: batch.dropped, error };
  }
  if (span) endSettleSpan(span, undefined);
  metrics.batchOk.inc({});
  for (const [topic, count] of batch.perTopic) metrics.recordsOk.inc({ topic }, count);
  for (const [topic, count] of batch.filteredPerTopic) metrics.recordsFiltered.inc({ topic }, count);
  reportDropped(batch);
  // One observation per batch: its records enter together, and a per-record observe cost more than the rest of commit.
  if (batch.oldest !== undefined) metrics.endToEndLatency.observe({}, (clock.monotonic() - batch.oldest) / 1000);
  return { id: control.id, committed: true, ok: batch.ok, dropped: batch.dropped };
}

/** The commit span: committed, or aborted with the reason. */
function endSettleSpan(span: Span, error: OrchestronError | undefined): void {
  span.setAttribute(OrchestronAttributes.committed, error === undefined);
  if (error) span.fail(error);
  span.end();
}
