import { describe, expect, it } from 'vitest';
import type { Settlement } from '../batch.ts';
import { Batch, BatchControl } from '../batch.ts';
import { json } from '../codecs/json.ts';
import { ProcessingError, SinkError } from '../errors.ts';
import { memorySink } from '../memory/sink.ts';
import { pipeline } from '../pipeline.ts';
import type { Sink } from '../sink.ts';
import { collect, harness, record, text } from '../testing/fixtures.ts';
import { MemoryTracker } from '../tracker/memory-tracker.ts';
import { commit } from './commit.ts';
import { deadLetter } from './dead-letter.ts';
import { decode } from './decode.ts';
import { produce } from './produce.ts';
import { track } from './track.ts';
import { SKIP, transform } from './transform.ts';

/** A pass-through stage that logs when each batch passes it. */
const probe = (log: string[], label: string) =>
  async function* <T>(input: AsyncIterable<Batch<T>>): AsyncIterable<Batch<T>> {
    for await (const batch of input) {
      log.push(`${label} ${batch.control.id}`);
      yield batch;
    }
  };

describe('commit', () => {
  it('at-least-once: processes the next batch while one commits, and commits strictly in order', async () => {
    const h = harness('skip-and-log');
    h.broker.createTopic('in', 1);
    h.broker.append(Array.from({ length: 30 }, (_, i) => record('in', `k${i}`, { i })));
    const log: string[] = [];
    const results = await collect(
      pipeline(h.source(['in'], { batchSize: 10 }), probe(log, 'processed'), async function* (input) {
        for await (const batch of input) {
          batch.control.beforeCommit(async () => {
            log.push(`committing ${batch.control.id}`);
            await Promise.resolve();
          });
          yield batch;
        }
      }, commit()),
    );
    expect(results.map((r) => [r.id, r.committed])).toEqual([[1, true], [2, true], [3, true]]);
    // Batch 2 is processed before batch 1's commit has run: that is the overlap.
    expect(log.indexOf('processed 2')).toBeLessThan(log.indexOf('committing 1') + 2);
    expect(log.filter((line) => line.startsWith('committing'))).toEqual(['committing 1', 'committing 2', 'committing 3']);
    expect(h.broker.committed('test-group', 'in', 0)).toBe(30n);
  });

  it('at-least-once: a batch whose commit fails comes again, a batch read before that is not committed past it, and nothing is lost', async () => {
    const h = harness('skip-and-log');
    h.broker.createTopic('in', 1);
    h.broker.createTopic('out', 1);
    h.broker.append(Array.from({ length: 20 }, (_, i) => record('in', `k${i}`, { i })));
    let failures = 1;
    const results = await collect(
      pipeline(
        h.source(['in'], { batchSize: 10 }),
        decode(json<{ i: number }>()),
        produce(memorySink(h.broker), { topic: 'out' }),
        async function* (input) {
          for await (const batch of input) {
            if (batch.control.id === 1) {
              batch.control.beforeCommit(async () => {
                if (failures-- > 0) throw new SinkError('broker went away', { retryable: true });
              });
            }
            yield batch;
          }
        },
        commit(),
      ),
    );
    expect(results[0]).toMatchObject({ id: 1, committed: false, error: { message: 'broker went away' } });
    // Batch 2 was read while batch 1 was settling: its source refuses to commit it, and it is read again.
    expect(results[1]).toMatchObject({ id: 2, committed: false, error: { message: expect.stringMatching(/earlier batch/) } });
    expect(results.slice(2).every((r) => r.committed)).toBe(true);
    expect(h.broker.committed('test-group', 'in', 0)).toBe(20n);
    const out = new Set(h.broker.records('out').map((r) => (JSON.parse(text(r.value) ?? '{}') as { i: number }).i));
    expect(out.size).toBe(20);
  });

  it('reports a settled batch at once, without waiting for the next one', async () => {
    const h = harness('skip-and-log');
    h.broker.createTopic('in', 1);
    h.broker.append([record('in', 'a', { i: 1 })]);
    const stop = new AbortController();
    const run = pipeline(h.source(['in'], { stopWhenIdle: false, signal: stop.signal }), commit())[Symbol.asyncIterator]();
    const first = await run.next();
    expect(first.value).toMatchObject({ id: 1, committed: true });
    // The consumer leaves while the source still waits for records: that returns at once.
    await run.return?.(undefined);
    stop.abort();
  });

  it('at-least-once: dead letters and tracker rows are awaited before the offsets commit; a dead-letter send that fails for good sends the batch again', async () => {
    const h = harness('skip-and-log');
    h.broker.createTopic('in', 1);
    h.broker.append([record('in', 'a', { i: 1 }), record('in', 'b', 'not json')]);
    const memory = memorySink(h.broker);
    let refusals = 1;
    const flakyDeadLetters: Sink = {
      async send(records, control) {
        if (refusals-- > 0) throw new SinkError('dead-letter topic not available', { retryable: false });
        await memory.send(records, control);
      },
      close: async () => {},
    };
    const tracker = new MemoryTracker({ clock: h.clock });
    const tracking = track(tracker, { strategy: 'OUTBOX' });
    const results = await h.clock.run(
      collect(
        pipeline(
          h.source(['in']),
          tracking.received,
          decode(json()),
          transform((value: unknown) => {
            if (value === null) throw new ProcessingError('never');
            return value;
          }),
          produce(memory, { topic: 'out' }),
          deadLetter(flakyDeadLetters, { retry: { attempts: 1 } }),
          tracking,
          commit(),
        ),
      ),
    );
    expect(results.map((r) => r.committed)).toEqual([false, true]);
    expect(results[0]?.error).toMatchObject({ code: 'DEAD_LETTER_REFUSED', partitions: [{ topic: 'in', partition: 0 }] });
    expect(results[0]?.error?.message).toContain('dead-letter topic not available');
    expect(h.broker.records('in-dlq')).toHaveLength(1);
    expect(h.broker.committed('test-group', 'in', 0)).toBe(2n);
    expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 1, FAILED: 1 });
  });

  it("at-least-once: hands a batch's offsets to the source while the batch before is still committing, always in order", async () => {
    const h = harness('skip-and-log');
    const calls: string[] = [];
    const pending: (() => void)[] = [];
    const settlement: Settlement = {
      commit: (control) => {
        calls.push(`commit ${control.id}`);
        return new Promise<void>((resolve) => pending.push(resolve));
      },
      abort: async (control) => {
        calls.push(`abort ${control.id}`);
      },
    };
    async function* source(): AsyncIterable<Batch<unknown>> {
      for (let id = 1; id <= 3; id++) yield new Batch(new BatchControl({ id, positions: [], context: h.context, settlement }), []);
    }
    const run = collect(pipeline(source(), commit()));
    await waitFor(() => calls.length === 3);
    // The source holds all three commits at once (it can send them in one request), called in batch order.
    expect(calls).toEqual(['commit 1', 'commit 2', 'commit 3']);
    for (const resolve of pending) resolve();
    expect((await run).map((r) => [r.id, r.committed])).toEqual([[1, true], [2, true], [3, true]]);
  });

  it('at-least-once: a batch that waits for its own acknowledgements keeps the next one from reaching the source', async () => {
    const h = harness('skip-and-log');
    const calls: string[] = [];
    let acknowledge!: () => void;
    const settlement: Settlement = {
      commit: async (control) => {
        calls.push(`commit ${control.id}`);
      },
      abort: async () => {},
    };
    async function* source(): AsyncIterable<Batch<unknown>> {
      for (let id = 1; id <= 2; id++) {
        const control = new BatchControl({ id, positions: [], context: h.context, settlement });
        if (id === 1) control.beforeCommit(() => new Promise<void>((resolve) => (acknowledge = resolve)));
        yield new Batch(control, []);
      }
    }
    const run = collect(pipeline(source(), commit()));
    await waitFor(() => acknowledge !== undefined);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(calls).toEqual([]);
    acknowledge();
    await run;
    expect(calls).toEqual(['commit 1', 'commit 2']);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
}

describe('commit of failed records that no deadLetter stage took', () => {
  for (const mode of ['atomic', 'skip-and-log'] as const) {
    it(`${mode}: counts them as dropped and logs one error line per batch naming them`, async () => {
      const lines: { fields: Record<string, unknown>; message: string }[] = [];
      const h = harness(mode);
      const logger = { ...h.context.platform.logger, error: (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message }) };
      const context = { ...h.context, platform: { ...h.context.platform, logger } };
      h.broker.createTopic('in', 1);
      h.broker.append([record('in', 'a', { n: 1 }), record('in', 'b', '{oops'), record('in', 'c', { n: 3, fail: true })]);
      const results = await collect(
        pipeline(
          h.source(['in'], { context }),
          decode(json<{ n: number; fail?: boolean }>()),
          transform((value) => {
            if (value.fail) throw new ProcessingError('refused', { retryable: false });
            return value;
          }),
          commit(),
        ),
      );
      expect(results.map((r) => [r.committed, r.ok, r.dropped.failed])).toEqual([[true, 1, 2]]);
      expect(h.recorded.value('orchestron_records_dropped_total', { topic: 'in', category: 'DESERIALIZATION_ERROR' })).toBe(1);
      expect(h.recorded.value('orchestron_records_dropped_total', { topic: 'in', category: 'PROCESSING_ERROR' })).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]?.message).toContain('without a dead letter');
      expect(lines[0]?.fields).toMatchObject({ dropped: 2, records: ['in/0@1', 'in/0@2'] });
    });
  }

  it('reports nothing when a deadLetter stage took them', async () => {
    const h = harness('skip-and-log');
    h.broker.createTopic('in', 1);
    h.broker.append([record('in', 'b', '{oops')]);
    const results = await collect(pipeline(h.source(['in']), decode(json()), deadLetter(memorySink(h.broker)), commit()));
    expect(results[0]?.dropped['dead-lettered']).toBe(1);
    expect(h.recorded.total('orchestron_records_dropped_total')).toBe(0);
  });
});

describe('commit of filtered records', () => {
  it('counts them per source topic once the batch commits, so a topic whose records are all filtered does not look idle', async () => {
    const h = harness('atomic');
    h.broker.createTopic('answers', 1);
    h.broker.append([record('answers', 'a', { keep: false }), record('answers', 'b', { keep: true }), record('answers', 'c', { keep: false })]);
    const results = await collect(
      pipeline(h.source(['answers']), decode(json<{ keep: boolean }>()), transform((value) => (value.keep ? value : SKIP)), commit()),
    );
    expect(results.map((r) => [r.ok, r.dropped.filtered])).toEqual([[1, 2]]);
    expect(h.recorded.value('orchestron_records_filtered_total', { topic: 'answers' })).toBe(2);
    expect(h.recorded.value('orchestron_records_ok_total', { topic: 'answers' })).toBe(1);
  });
});
