import { describe, expect, it } from 'vitest';
import type { Batch } from '../batch.ts';
import type { FailureMode } from '../context.ts';
import { BreakerOpenError, OrchestronError, ProcessingError } from '../errors.ts';
import { failurePolicy } from '../failure-policy.ts';
import type { Clock } from '../platform.ts';

/** A source on a fresh topic of one partition, read by a group of its own, as a test drives it. */
export interface SourceUnderTest {
  /** The clock of the context the source's batches carry. */
  readonly clock: Clock;
  /** Appends `count` records to the topic. */
  append(count: number): Promise<void>;
  /**
   * The source's batches (of at most the setup's `batchSize` records) until `signal` aborts. Called again once a run
   * ended, it reads on from the committed offsets.
   */
  read(signal: AbortSignal): AsyncGenerator<Batch<Uint8Array | null>>;
  /** Lets `ms` pass on `clock`: a manual clock is moved on, a real one waited for. */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface SourceSetup {
  readonly failureMode: FailureMode;
  readonly batchSize: number;
}

/** A fresh source (its own topic and group) for the failure mode and batch size given. */
export type SourceFactory = (setup: SourceSetup) => Promise<SourceUnderTest>;

const batchSize = 4;
const retryAfterMs = 1_000;

const failure = () => new ProcessingError('the contract aborts this batch', { retryable: true });

/** The attempts each offset must show: 1, plus one per abort of a batch (not stale) that held it since it was last committed. */
class ExpectedAttempts {
  readonly #aborts = new Map<bigint, number>();

  check(batch: Batch<unknown>): void {
    expect(batch.records.length).toBeGreaterThan(0);
    expect(batch.records.map((r) => `${r.offset}:${r.attempts}`)).toEqual(batch.records.map((r) => `${r.offset}:${1 + (this.#aborts.get(r.offset) ?? 0)}`));
  }

  aborted(batch: Batch<unknown>): void {
    for (const r of batch.records) this.#aborts.set(r.offset, (this.#aborts.get(r.offset) ?? 0) + 1);
  }

  committed(batch: Batch<unknown>): void {
    for (const r of batch.records) this.#aborts.delete(r.offset);
  }
}

/** One run of the source: its batches one at a time, checked against the expected attempts. */
class Run {
  readonly #stop = new AbortController();
  readonly #batches: AsyncGenerator<Batch<Uint8Array | null>>;
  readonly expected: ExpectedAttempts;

  constructor(source: SourceUnderTest, expected = new ExpectedAttempts()) {
    this.#batches = source.read(this.#stop.signal);
    this.expected = expected;
  }

  /** The next batch, its attempts checked. */
  async next(): Promise<Batch<Uint8Array | null>> {
    const batch = await this.pull();
    this.expected.check(batch);
    return batch;
  }

  /** The next batch, unchecked. */
  async pull(): Promise<Batch<Uint8Array | null>> {
    const step = await this.#batches.next();
    if (step.done) throw new Error('the source ended while the contract expected a batch');
    return step.value;
  }

  async commit(batch: Batch<unknown>): Promise<void> {
    await batch.control.commit();
    this.expected.committed(batch);
  }

  async abort(batch: Batch<unknown>, error: OrchestronError = failure()): Promise<void> {
    await batch.control.abort(error);
    this.expected.aborted(batch);
  }

  /** Expects the batch's commit to fail with a retryable error, then aborts it as the commit stage does (not counted: stale). */
  async refuse(batch: Batch<unknown>): Promise<void> {
    const refused = await batch.control.commit().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(OrchestronError);
    expect((refused as OrchestronError).retryable).toBe(true);
    await batch.control.abort(refused as OrchestronError);
  }

  /** Stops fetching: the batch in flight may still settle, and the next pull ends the run. */
  stop(): void {
    this.#stop.abort();
  }

  /** Whether the run ended (the next pull found no batch). */
  async ended(): Promise<boolean> {
    return (await this.#batches.next()).done === true;
  }

  async end(): Promise<void> {
    this.#stop.abort();
    await this.#batches.return(undefined);
  }
}

/**
 * Cuts the batch short two records in (`BatchControl.limit`), commits it, and notes what the contract expects then:
 * the records before the cut committed, those from it on delivered again (attempts + 1). Returns the cut.
 */
async function commitUpToCut(run: Run, batch: Batch<unknown>): Promise<bigint> {
  const { topic, partition, offset } = batch.records[0] as { topic: string; partition: number; offset: bigint };
  const cut = offset + 2n;
  batch.control.limit([{ topic, partition, offset: cut }]);
  expect(batch.control.committing).toEqual([{ topic, partition, offset: cut }]);
  await batch.control.commit();
  run.expected.committed(batch.next(batch.records.filter((r) => r.offset < cut)));
  run.expected.aborted(batch.next(batch.records.filter((r) => r.offset >= cut)));
  return cut;
}

const first = (batch: Batch<unknown>): bigint => (batch.records[0] as { offset: bigint }).offset;
const last = (batch: Batch<unknown>): bigint => (batch.records.at(-1) as { offset: bigint }).offset;

/** A fresh source holding `batches` batches' worth of records, and a run reading it; the run ends after `body`. */
async function using(
  factory: SourceFactory,
  failureMode: FailureMode,
  batches: number,
  body: (run: Run, source: SourceUnderTest) => Promise<void>,
): Promise<void> {
  const source = await factory({ failureMode, batchSize });
  try {
    await source.append(batchSize * batches);
    const run = new Run(source);
    await body(run, source);
    await run.end();
  } finally {
    await source.close();
  }
}

/**
 * The settlement contract every source keeps (see `Settlement` in core/batch.ts), for each failure mode given: the memory
 * source, the Kafka source and a source of your own.
 */
export function sourceContract(name: string, factory: SourceFactory, failureModes: readonly FailureMode[] = ['skip-and-log', 'atomic']): void {
  for (const failureMode of failureModes) {
    describe(`Source contract: ${name} (${failureMode})`, () => {
      it('delivers an aborted batch again, each record with attempts + 1, until it commits', async () => {
        await using(factory, failureMode, 3, async (run) => {
          const aborted = await run.next();
          await run.abort(aborted);
          const again = await run.next();
          expect(first(again)).toBe(first(aborted));
          expect(again.records[0]?.attempts).toBe(2);
          await run.abort(again);
          const third = await run.next();
          expect(third.records[0]?.attempts).toBe(3);
          await run.commit(third);
          const after = await run.next();
          expect(first(after)).toBe(last(third) + 1n);
          await run.commit(after);
        });
      });

      it('refuses to commit a batch read before an abort; its records come again, not counted as a delivery', async () => {
        await using(factory, failureMode, 3, async (run) => {
          const aborted = await run.next();
          const stale = await run.next();
          expect(first(stale)).toBe(last(aborted) + 1n);
          await run.abort(aborted);
          // Its records come again anyway, so its abort is no delivery.
          await run.refuse(stale);
          let batch = await run.next();
          expect(first(batch)).toBe(first(aborted));
          while (last(batch) < last(stale)) {
            await run.commit(batch);
            batch = await run.next();
          }
          await run.commit(batch);
        });
      });

      it('a batch being read when an abort comes starts again at the aborted records, or refuses to commit', async () => {
        await using(factory, failureMode, 3, async (run) => {
          const aborted = await run.next();
          // The commit stage pulls the next batch while the one before settles.
          const reading = run.pull();
          await run.abort(aborted);
          let batch = await reading;
          if (first(batch) !== first(aborted)) {
            expect(first(batch)).toBe(last(aborted) + 1n);
            await run.refuse(batch);
            batch = await run.pull();
          }
          run.expected.check(batch);
          expect(first(batch)).toBe(first(aborted));
          await run.commit(batch);
        });
      });

      it('commits in order: batches committed together, and reading again starts right after the last of them', async () => {
        await using(factory, failureMode, 4, async (run) => {
          const [one, two, three] = [await run.next(), await run.next(), await run.next()];
          const order: number[] = [];
          // The commit stage may hand over a batch while the one before is still committing.
          await Promise.all([run.commit(one).then(() => order.push(1)), run.commit(two).then(() => order.push(2))]);
          expect(order).toEqual([1, 2]);
          await run.abort(three);
          const again = await run.next();
          expect(first(again)).toBe(first(three));
          expect(first(three)).toBe(last(two) + 1n);
          await run.commit(again);
        });
      });

      it('drains the batch in flight when stopped: it still commits, and the next run reads on after it', async () => {
        await using(factory, failureMode, 3, async (run, source) => {
          const inFlight = await run.next();
          run.stop();
          expect(inFlight.control.signal.aborted).toBe(false);
          await run.commit(inFlight);
          expect(await run.ended()).toBe(true);
          const next = new Run(source, run.expected);
          const batch = await next.next();
          expect(first(batch)).toBe(last(inFlight) + 1n);
          await next.commit(batch);
          await next.end();
        });
      });

      // A batch cut short: at-least-once only (an atomic batch is one transaction, which commits whole).
      const cuts = failurePolicy(failureMode, 1).stopWhileRetrying === 'commit-finished';
      if (cuts) {
        it('commits a batch cut short up to its cut, and delivers the records from the cut on again', async () => {
          await using(factory, failureMode, 3, async (run) => {
            const batch = await run.next();
            const cut = await commitUpToCut(run, batch);
            const again = await run.next();
            expect(first(again)).toBe(cut);
            expect(again.records[0]?.attempts).toBe(2);
            await run.commit(again);
          });
        });

        it('refuses to commit a batch read before a batch cut short committed; reading starts again at the cut', async () => {
          await using(factory, failureMode, 3, async (run) => {
            const batch = await run.next();
            const later = await run.next();
            expect(first(later)).toBe(last(batch) + 1n);
            const cut = await commitUpToCut(run, batch);
            await run.refuse(later);
            let again = await run.next();
            expect(first(again)).toBe(cut);
            while (last(again) < last(later)) {
              await run.commit(again);
              again = await run.next();
            }
            await run.commit(again);
          });
        });

        it('stopped, commits a batch cut short up to its cut; the next run reads from the cut', async () => {
          await using(factory, failureMode, 2, async (run, source) => {
            const inFlight = await run.next();
            run.stop();
            expect(inFlight.control.stopping?.aborted).toBe(true);
            const cut = await commitUpToCut(run, inFlight);
            expect(await run.ended()).toBe(true);
            // The next run may be another owner's: how often the records were delivered is not asked of it.
            const next = new Run(source);
            const batch = await next.pull();
            expect(first(batch)).toBe(cut);
            await batch.control.commit();
            await next.end();
          });
        });
      }

      it('waits for an open breaker: an abort for a BreakerOpenError delivers again only after its retryAfterMs', async () => {
        await using(factory, failureMode, 2, async (run, source) => {
          const aborted = await run.next();
          const abortedAt = source.clock.monotonic();
          await run.abort(aborted, new BreakerOpenError('contract', retryAfterMs));
          let arrived = false;
          const pending = run.next().then((batch) => {
            arrived = true;
            return batch;
          });
          pending.catch(() => {});
          await source.elapse(retryAfterMs - 10);
          expect(arrived).toBe(false);
          await source.elapse(10);
          const again = await pending;
          expect(source.clock.monotonic() - abortedAt).toBeGreaterThanOrEqual(retryAfterMs);
          expect(first(again)).toBe(first(aborted));
          await run.commit(again);
        });
      });
    });
  }
}
