import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { json } from '../codecs/json.ts';
import { ProcessingError, ValidationError } from '../errors.ts';
import { pipeline } from '../pipeline.ts';
import { deadlineWindowMs } from '../shared-deadlines.ts';
import { collect, harness, record } from '../testing/fixtures.ts';
import { decode } from './decode.ts';
import { SKIP, transform } from './transform.ts';

interface Event {
  key: string;
  seq: number;
  delay: number;
}

const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('transform', () => {
  it('keeps each key in order while different keys of a partition run in parallel (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e'), delay: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 8 }),
        async (events, concurrency) => {
          const { broker, source } = harness();
          broker.createTopic('in', 1);
          broker.append(events.map((e, seq) => record('in', e.key, { ...e, seq })));
          const seen: Event[] = [];
          let inFlight = 0;
          let maxInFlight = 0;
          const stage = transform<Event, Event>(
            async (event) => {
              inFlight++;
              maxInFlight = Math.max(maxInFlight, inFlight);
              await realDelay(event.delay);
              seen.push(event);
              inFlight--;
              return event;
            },
            { concurrency, orderBy: 'key', timeoutMs: 0 },
          );
          const batches = await collect(pipeline(source(['in'], { batchSize: 100 }), decode(json<Event>()), stage));
          expect(maxInFlight).toBeLessThanOrEqual(concurrency);
          for (const key of ['a', 'b', 'c', 'd', 'e']) {
            const order = seen.filter((e) => e.key === key).map((e) => e.seq);
            expect(order).toEqual([...order].sort((x, y) => x - y));
          }
          const output = batches.flatMap((b) => b.records.map((r) => r.value.seq));
          expect(output).toEqual(events.map((_, seq) => seq));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('mixes synchronous, asynchronous and failing attempts: each key in order, every record once, retries counted (property)', async () => {
    type Kind = 'sync' | 'async' | 'throws-once' | 'skip';
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), kind: fc.constantFrom<Kind>('sync', 'async', 'throws-once', 'skip') }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 4 }),
        async (events, concurrency) => {
          const { broker, source, clock, recorded } = harness('skip-and-log');
          broker.createTopic('in', 1);
          broker.append(events.map((e, seq) => record('in', e.key, { ...e, seq })));
          const calls = new Map<number, number>();
          const started: { key: string; seq: number }[] = [];
          const stage = transform<Event & { kind: Kind }, number>(
            (event) => {
              const n = (calls.get(event.seq) ?? 0) + 1;
              calls.set(event.seq, n);
              if (n === 1) started.push({ key: event.key, seq: event.seq });
              if (event.kind === 'throws-once' && n === 1) throw new ProcessingError('flaky');
              if (event.kind === 'skip') return SKIP;
              return event.kind === 'async' ? Promise.resolve(event.seq) : event.seq;
            },
            { concurrency, orderBy: 'key', timeoutMs: 0, retry: { attempts: 2, jitter: 'none', initialDelayMs: 1 } },
          );
          const batches = await clock.run(collect(pipeline(source(['in'], { batchSize: 100 }), decode(json<Event & { kind: Kind }>()), stage)));
          for (const key of ['a', 'b', 'c']) {
            const order = started.filter((e) => e.key === key).map((e) => e.seq);
            expect(order).toEqual([...order].sort((x, y) => x - y));
          }
          events.forEach((e, seq) => expect(calls.get(seq)).toBe(e.kind === 'throws-once' ? 2 : 1));
          const kept = events.flatMap((e, seq) => (e.kind === 'skip' ? [] : [seq]));
          expect(batches.flatMap((b) => b.records.map((r) => r.value))).toEqual(kept);
          expect(batches.flatMap((b) => b.dropped.map((d) => d.reason))).toEqual(events.filter((e) => e.kind === 'skip').map(() => 'filtered'));
          const throwing = events.filter((e) => e.kind === 'throws-once').length;
          expect(recorded.value('orchestron_transform_retries_total')).toBe(throwing);
          expect(recorded.summary('orchestron_transform_duration_seconds')?.count).toBe(events.length + throwing);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('runs different keys concurrently', async () => {
    const { broker, source } = harness();
    broker.createTopic('in', 1);
    broker.append(['a', 'b', 'c', 'd'].map((key) => record('in', key, { key })));
    let inFlight = 0;
    let peak = 0;
    const stage = transform(
      async (value: unknown) => {
        peak = Math.max(peak, ++inFlight);
        await realDelay(5);
        inFlight--;
        return value;
      },
      { concurrency: 4, timeoutMs: 0 },
    );
    await collect(pipeline(source(['in']), decode(json()), stage));
    expect(peak).toBe(4);
  });

  it('serialises a partition with orderBy partition', async () => {
    const { broker, source } = harness();
    broker.createTopic('in', 1);
    broker.append(['a', 'b', 'c', 'd'].map((key) => record('in', key, { key })));
    let inFlight = 0;
    let peak = 0;
    const stage = transform(
      async (value: unknown) => {
        peak = Math.max(peak, ++inFlight);
        await realDelay(1);
        inFlight--;
        return value;
      },
      { concurrency: 4, orderBy: 'partition', timeoutMs: 0 },
    );
    await collect(pipeline(source(['in']), decode(json()), stage));
    expect(peak).toBe(1);
  });

  it('aborts an attempt at its timeout with TIMEOUT_ERROR, then retries it', async () => {
    const { broker, source, clock, recorded } = harness('skip-and-log');
    broker.createTopic('in', 1);
    broker.append([record('in', 'k', { n: 1 })]);
    const aborts: string[] = [];
    let calls = 0;
    const stage = transform(
      (_value: unknown, _record, signal) => {
        calls++;
        return new Promise<never>((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            aborts.push((signal.reason as Error).name);
            reject(signal.reason);
          }),
        );
      },
      { timeoutMs: 250, retry: { attempts: 3, jitter: 'none' } },
    );
    const [batch] = await clock.run(collect(pipeline(source(['in']), decode(json()), stage)));
    expect(calls).toBe(3);
    expect(aborts).toEqual(['TimeoutError', 'TimeoutError', 'TimeoutError']);
    expect(batch?.dropped[0]?.error?.code).toBe('TIMEOUT_ERROR');
    // Timers at the deadline (never early, at most one shared window late) and the two backoffs between attempts.
    const isDeadline = (ms: number) => ms >= 250 && ms <= 250 + deadlineWindowMs;
    expect(clock.sleeps.filter(isDeadline)).toHaveLength(3);
    expect(clock.sleeps.filter((ms) => !isDeadline(ms))).toEqual([1_000, 2_000]);
    expect(recorded.value('orchestron_transform_fail_total', { category: 'TIMEOUT_ERROR' })).toBe(3);
  });

  it('times out a transform that ignores its signal', async () => {
    const { broker, source, clock } = harness('skip-and-log');
    broker.createTopic('in', 1);
    broker.append([record('in', 'k', {})]);
    const stage = transform(() => new Promise(() => {}), { timeoutMs: 100, retry: { attempts: 1 } });
    const [batch] = await clock.run(collect(pipeline(source(['in']), decode(json()), stage)));
    expect(batch?.dropped[0]?.error?.code).toBe('TIMEOUT_ERROR');
  });

  it('retries retryable failures only', async () => {
    const { broker, source, clock } = harness('skip-and-log');
    broker.createTopic('in', 1);
    broker.append([record('in', 'flaky', { kind: 'flaky' }), record('in', 'bad', { kind: 'bad' })]);
    const calls = new Map<string, number>();
    const stage = transform(
      (value: { kind: string }) => {
        const n = (calls.get(value.kind) ?? 0) + 1;
        calls.set(value.kind, n);
        if (value.kind === 'bad') throw new ValidationError('amount must be positive');
        if (n < 3) throw new ProcessingError('service unavailable');
        return { ...value, enriched: true };
      },
      { timeoutMs: 0 },
    );
    const [batch] = await clock.run(collect(pipeline(source(['in']), decode(json<{ kind: string }>()), stage)));
    expect(calls.get('flaky')).toBe(3);
    expect(calls.get('bad')).toBe(1);
    expect(batch?.records.map((r) => r.value)).toEqual([{ kind: 'flaky', enriched: true }]);
    expect(batch?.dropped[0]?.error?.code).toBe('VALIDATION_ERROR');
  });

  it('filters records for which the function returns SKIP', async () => {
    const { broker, source } = harness();
    broker.createTopic('in', 1);
    broker.append([record('in', 'a', { keep: true }), record('in', 'b', { keep: false })]);
    const stage = transform((v: { keep: boolean }) => (v.keep ? v : SKIP), { timeoutMs: 0 });
    const [batch] = await collect(pipeline(source(['in']), decode(json<{ keep: boolean }>()), stage));
    expect(batch?.records).toHaveLength(1);
    expect(batch?.dropped.map((d) => d.reason)).toEqual(['filtered']);
  });

  it('fails the whole batch on a retryable failure in atomic mode', async () => {
    const { broker, source, clock } = harness('atomic');
    broker.createTopic('in', 1);
    broker.append([record('in', 'a', { ok: true }), record('in', 'b', { ok: false })]);
    const stage = transform(
      (v: { ok: boolean }) => {
        if (!v.ok) throw new ProcessingError('downstream down');
        return v;
      },
      { timeoutMs: 0, retry: { attempts: 2 } },
    );
    const [batch] = await clock.run(collect(pipeline(source(['in']), decode(json<{ ok: boolean }>()), stage)));
    expect(batch?.failure?.code).toBe('PROCESSING_ERROR');
  });

  it('rejects bad options naming the field and the allowed values', () => {
    expect(() => transform((v) => v, { orderBy: 'random' as 'key' })).toThrow(/orderBy: must be one of key, partition, none/);
    expect(() => transform((v) => v, { concurrency: 0 })).toThrow(/concurrency/);
  });
});
