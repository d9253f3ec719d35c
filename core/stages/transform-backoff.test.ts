import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../batch.ts';
import { json } from '../codecs/json.ts';
import type { FailureMode } from '../context.ts';
import { ProcessingError, ValidationError } from '../errors.ts';
import { pipeline } from '../pipeline.ts';
import { collect, harness, record } from '../testing/fixtures.ts';
import { commit } from './commit.ts';
import { MemoryDedupStore } from '../dedup/memory-store.ts';
import { decode } from './decode.ts';
import { dedup } from './dedup.ts';
import { transform } from './transform.ts';

interface Event {
  readonly key: string;
  readonly seq: number;
  /** Attempts that fail before one succeeds. */
  readonly failures: number;
  /** Whether the failures are retryable (else the first one fails the record for good). */
  readonly retryable: boolean;
}

const backoffMs = 1_000;
const retry = { attempts: 3, initialDelayMs: backoffMs, factor: 1, jitter: 'none' } as const;

/** A transform whose attempts answer asynchronously, failing each event `failures` times; it notes each attempt. */
function failing(options: { concurrency: number; attempts?: number }) {
  const calls = new Map<number, number>();
  const attempts: Event[] = [];
  const stage = transform<Event, Event>(
    async (event) => {
      attempts.push(event);
      const n = (calls.get(event.seq) ?? 0) + 1;
      calls.set(event.seq, n);
      await Promise.resolve();
      if (n <= event.failures) {
        if (!event.retryable) throw new ValidationError(`event ${event.seq} is invalid`);
        throw new ProcessingError(`event ${event.seq} fails (attempt ${n})`);
      }
      return event;
    },
    { concurrency: options.concurrency, orderBy: 'key', timeoutMs: 0, retry: { ...retry, attempts: options.attempts ?? retry.attempts } },
  );
  return { stage, attempts, calls };
}

const events = (keys: readonly string[], fails: (key: string) => number): Event[] =>
  keys.map((key, seq) => ({ key, seq, failures: fails(key), retryable: true }));

/** One batch of `list` on a topic of one partition, through decode and `stage`, each batch as the transform leaves it. */
function run(list: readonly Event[], stage: ReturnType<typeof failing>['stage'], failureMode: FailureMode = 'skip-and-log') {
  const { broker, source, clock } = harness(failureMode);
  broker.createTopic('in', 1);
  broker.append(list.map((e) => record('in', e.key, e)));
  const batches = collect(pipeline(source(['in'], { batchSize: 100 }), decode(json<Event>()), stage));
  return { batches, clock, broker };
}

const seqsOf = (batches: readonly Batch<Event>[]) => batches.flatMap((b) => b.records.map((r) => r.value.seq));

describe('transform: a record waiting for its backoff holds only its own key', () => {
  it('with concurrency 2 and three keys backing off, the other keys finish before the backoffs end; the waiting keys go on after them, in order', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'd', 'f', 'a', 'g', 'e', 'b', 'c', 'h', 'd'];
    const list = events(keys, (key) => (['a', 'b', 'c'].includes(key) ? 1 : 0)).map((e, i) => (i >= 7 ? { ...e, failures: 0 } : e));
    const { stage, attempts } = failing({ concurrency: 2 });
    const { batches, clock } = run(list, stage);
    // Nothing moves the clock: only the backoffs wait on it.
    await clock.advance(0);
    await clock.advance(0);
    const others = list.filter((e) => !['a', 'b', 'c'].includes(e.key)).map((e) => e.seq);
    expect(attempts.map((e) => e.seq).filter((seq) => others.includes(seq)).sort((x, y) => x - y)).toEqual(others);
    // The waiting keys' later records have not started: a key's records keep their order.
    expect(attempts.filter((e) => ['a', 'b', 'c'].includes(e.key)).map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(clock.pendingTimers).toBe(3);
    await clock.advance(backoffMs);
    const output = seqsOf(await batches);
    expect([...output].sort((x, y) => x - y)).toEqual(list.map((e) => e.seq));
    for (const key of ['a', 'b', 'c']) {
      const tried = attempts.filter((e) => e.key === key).map((e) => e.seq);
      expect(tried).toEqual([tried[0], ...list.filter((e) => e.key === key).map((e) => e.seq)]);
    }
  });

  it('keeps each key in order and ends every record exactly once, output or failed, whatever keys fail and how (property)', async () => {
    const event = fc.record({
      key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      failures: fc.integer({ min: 0, max: 3 }),
      retryable: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 4 }), async (drawn, concurrency) => {
        const list = drawn.map((e, seq) => ({ ...e, seq }));
        const { stage, attempts } = failing({ concurrency });
        const { batches, clock } = run(list, stage);
        const done = await clock.run(batches);
        const output = done.flatMap((b) => b.records.map((r) => r.value));
        const failed = done.flatMap((b) => b.dropped.filter((d) => d.reason === 'failed').map((d) => JSON.parse(new TextDecoder().decode(d.record.raw ?? new Uint8Array())) as Event));
        // Exactly once each: the records that succeed within the attempts are output, the others failed.
        const succeeds = (e: Event) => e.failures === 0 || (e.retryable && e.failures < retry.attempts);
        expect(output.map((e) => e.seq).sort((x, y) => x - y)).toEqual(list.filter(succeeds).map((e) => e.seq));
        expect(failed.map((e) => e.seq).sort((x, y) => x - y)).toEqual(list.filter((e) => !succeeds(e)).map((e) => e.seq));
        for (const key of new Set(list.map((e) => e.key))) {
          const inOrder = list.filter((e) => e.key === key).map((e) => e.seq);
          expect(output.filter((e) => e.key === key).map((e) => e.seq)).toEqual(inOrder.filter((seq) => succeeds(list[seq] as Event)));
          // A key's first attempts come in its order: none starts before the one before it ended.
          const firsts = attempts.filter((e) => e.key === key).map((e) => e.seq);
          expect([...new Set(firsts)]).toEqual(inOrder);
          expect(firsts).toEqual([...firsts].sort((x, y) => x - y));
        }
      }),
      { numRuns: 60 },
    );
  });
});

/** Two runs over one topic: the first stopped while `a`'s first record waits for its backoff, the second to the end. */
async function stopDuringBackoff(failureMode: FailureMode, options: { dedup?: boolean } = {}) {
  const keys = ['d', 'a', 'e', 'b', 'f', 'a', 'g'];
  const list = events(keys, (key) => (key === 'a' ? 1 : 0));
  const { broker, source, clock } = harness(failureMode);
  broker.createTopic('in', 1);
  broker.append(list.map((e) => record('in', e.key, e)));
  const { stage, attempts } = failing({ concurrency: 2 });
  const deduplicated = options.dedup ? dedup<Event>(new MemoryDedupStore(), { ttlMs: 60_000 }) : undefined;
  const passed: number[][] = [];
  const noted = (input: AsyncIterable<Batch<Event>>) =>
    (async function* () {
      for await (const batch of input) {
        passed.push(batch.records.map((r) => r.value.seq));
        yield batch;
      }
    })();
  const runOnce = (signal?: AbortSignal) =>
    collect(pipeline(source(['in'], { batchSize: 100, signal }), decode(json<Event>()), deduplicated, stage, noted, commit()));
  const stop = new AbortController();
  const first = runOnce(stop.signal);
  await clock.advance(0);
  await clock.advance(0);
  expect(clock.pendingTimers).toBe(1);
  stop.abort();
  const firstResults = await clock.run(first);
  const committedAfterStop = broker.committed('test-group', 'in', 0);
  const triedBeforeStop = attempts.map((e) => e.seq);
  const secondResults = await clock.run(runOnce());
  return { list, triedBeforeStop, passed, firstResults, secondResults, committedAfterStop, committed: broker.committed('test-group', 'in', 0) };
}

describe('transform: stopping while records wait for their backoff', () => {
  it('skip-and-log: the wait ends, the batch commits up to its first unfinished record, and the next run delivers from there', async () => {
    const { list, passed, firstResults, committedAfterStop, committed, triedBeforeStop } = await stopDuringBackoff('skip-and-log');
    // d@0 finished; a@1 waited; e, b, f finished after it but come again; a@5 never started.
    expect(firstResults.map((r) => [r.committed, r.ok])).toEqual([[true, 1]]);
    expect(passed[0]).toEqual([0]);
    expect(committedAfterStop).toBe(1n);
    expect(triedBeforeStop.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 6]);
    expect(passed.slice(1).flat().sort((x, y) => x - y)).toEqual(list.slice(1).map((e) => e.seq));
    expect(committed).toBe(BigInt(list.length));
  });

  it('skip-and-log: a dedup stage before the transform remembers only the keys of the records before the cut', async () => {
    const { list, passed, secondResults } = await stopDuringBackoff('skip-and-log', { dedup: true });
    expect(passed.flat().sort((x, y) => x - y)).toEqual(list.map((e) => e.seq));
    expect(secondResults.flatMap((r) => (r.dropped.deduplicated > 0 ? [r.dropped.deduplicated] : []))).toEqual([]);
  });

  it('atomic: the batch drains, its backoff included, and commits whole', async () => {
    const { list, passed, firstResults, secondResults, committedAfterStop } = await stopDuringBackoff('atomic');
    expect(firstResults.map((r) => [r.committed, r.ok])).toEqual([[true, list.length]]);
    expect(passed.flat().sort((x, y) => x - y)).toEqual(list.map((e) => e.seq));
    expect(committedAfterStop).toBe(BigInt(list.length));
    expect(secondResults).toEqual([]);
  });
});

describe('transform: stopping at any moment (property)', () => {
  it('skip-and-log: the first run commits exactly up to its first unfinished record; with the next run every record comes out once, each key in order', async () => {
    const event = fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e'), failures: fc.integer({ min: 0, max: 2 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 4 }),
        async (drawn, concurrency, turnsBeforeStop) => {
          const list: Event[] = drawn.map((e, seq) => ({ ...e, seq, retryable: true }));
          const { broker, source, clock } = harness('skip-and-log');
          broker.createTopic('in', 1);
          broker.append(list.map((e) => record('in', e.key, e)));
          const calls = new Map<number, number>();
          const succeeded = new Set<number>();
          const stage = transform<Event, Event>(
            async (e) => {
              const n = (calls.get(e.seq) ?? 0) + 1;
              calls.set(e.seq, n);
              await Promise.resolve();
              if (n <= e.failures) throw new ProcessingError(`event ${e.seq} fails (attempt ${n})`);
              succeeded.add(e.seq);
              return e;
            },
            { concurrency, orderBy: 'key', timeoutMs: 0, retry },
          );
          const passed: Event[] = [];
          const noted = (input: AsyncIterable<Batch<Event>>) =>
            (async function* () {
              for await (const batch of input) {
                passed.push(...batch.records.map((r) => r.value));
                expect(batch.dropped).toEqual([]);
                yield batch;
              }
            })();
          const runOnce = (signal?: AbortSignal) => collect(pipeline(source(['in'], { batchSize: 100, signal }), decode(json<Event>()), stage, noted, commit()));
          const stop = new AbortController();
          const first = runOnce(stop.signal);
          for (let turn = 0; turn < turnsBeforeStop; turn++) await clock.advance(0);
          stop.abort();
          await clock.run(first);
          const firstUnfinished = list.find((e) => !succeeded.has(e.seq))?.seq ?? list.length;
          expect(broker.committed('test-group', 'in', 0)).toBe(BigInt(firstUnfinished));
          expect(passed.map((e) => e.seq).sort((x, y) => x - y)).toEqual(list.slice(0, firstUnfinished).map((e) => e.seq));
          await clock.run(runOnce());
          expect(broker.committed('test-group', 'in', 0)).toBe(BigInt(list.length));
          expect(passed.map((e) => e.seq).sort((x, y) => x - y)).toEqual(list.map((e) => e.seq));
          for (const key of new Set(list.map((e) => e.key))) {
            const order = passed.filter((e) => e.key === key).map((e) => e.seq);
            expect(order).toEqual([...order].sort((x, y) => x - y));
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
