import { describe, expect, it } from 'vitest';
import type { FailureTracker, TrackEntry } from '../tracker/tracker.ts';
import { ManualClock } from './manual-clock.ts';

/** A fresh tracker in its own namespace (table, collection, key prefix), with the clock it must stamp rows with. */
export type TrackerFactory = (clock: ManualClock) => Promise<{ tracker: FailureTracker; cleanup: () => Promise<void> }>;

const entries = (prefix: string, count: number, from = 0): TrackEntry[] =>
  Array.from({ length: count }, (_, i) => ({
    dedupKey: `${prefix}-${from + i}`,
    topic: 'orders',
    partition: (from + i) % 3,
    offset: BigInt(from + i),
    attempts: 1,
  }));

async function using(factory: TrackerFactory, body: (tracker: FailureTracker, clock: ManualClock) => Promise<void>) {
  const clock = new ManualClock();
  const { tracker, cleanup } = await factory(clock);
  try {
    await body(tracker, clock);
  } finally {
    await tracker.close();
    await cleanup();
  }
}

/** The assertions every FailureTracker implementation must pass: memory, Postgres, MongoDB, Redis. */
export function trackerContract(name: string, factory: TrackerFactory): void {
  describe(`FailureTracker contract: ${name}`, () => {
    it('pre-inserts RECEIVED rows in bulk and swallows duplicate keys', async () => {
      await using(factory, async (tracker) => {
        const batch = entries('a', 500);
        await tracker.received(batch);
        await tracker.received(batch.slice(0, 10));
        expect(await tracker.countByStatus()).toEqual({ RECEIVED: 500, SUCCESS: 0, FAILED: 0 });
        const [row] = await tracker.get(['a-7']);
        expect(row).toMatchObject({ dedupKey: 'a-7', topic: 'orders', partition: 1, offset: 7n, status: 'RECEIVED', attempts: 1 });
        expect(row?.category).toBeNull();
        expect(row?.errorMessage).toBeNull();
      });
    });

    it('moves RECEIVED to SUCCESS or FAILED in bulk, idempotently', async () => {
      await using(factory, async (tracker, clock) => {
        const batch = entries('b', 10);
        await tracker.received(batch);
        await clock.advance(1_000);
        await tracker.succeeded(batch.slice(0, 6));
        await tracker.succeeded(batch.slice(0, 6));
        const failures = batch.slice(6).map((e) => ({ ...e, category: 'PROCESSING_ERROR' as const, errorMessage: 'pricing down' }));
        await tracker.failed(failures);
        await tracker.failed(failures);
        expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 6, FAILED: 4 });
        const [ok, failed] = await tracker.get(['b-0', 'b-9']);
        expect(ok?.status).toBe('SUCCESS');
        expect(ok?.updatedAt).toBe(clock.now());
        expect(ok?.createdAt).toBe(clock.now() - 1_000);
        expect(failed).toMatchObject({ status: 'FAILED', category: 'PROCESSING_ERROR', errorMessage: 'pricing down' });
      });
    });

    it('never turns SUCCESS into FAILED, but lets a redelivered FAILED record succeed', async () => {
      await using(factory, async (tracker) => {
        const [done, retried] = entries('c', 2) as [TrackEntry, TrackEntry];
        await tracker.succeeded([done]);
        await tracker.failed([{ ...done, category: 'TIMEOUT_ERROR', errorMessage: 'late duplicate' }]);
        await tracker.failed([{ ...retried, category: 'PROCESSING_ERROR', errorMessage: 'first try' }]);
        await tracker.received([{ ...retried, attempts: 2 }]);
        await tracker.succeeded([{ ...retried, attempts: 2 }]);
        const rows = await tracker.get([done.dedupKey, retried.dedupKey]);
        expect(rows.map((r) => r?.status)).toEqual(['SUCCESS', 'SUCCESS']);
        expect(rows[1]?.attempts).toBe(2);
        expect(rows[1]?.category).toBeNull();
      });
    });

    it('keeps a row RETRYING through its retry hops, unswept and out of the failures, until one final status', async () => {
      await using(factory, async (tracker, clock) => {
        const [healed, exhausted, done] = entries('r', 3) as [TrackEntry, TrackEntry, TrackEntry];
        const retry = (entry: TrackEntry, attempts: number) => ({ ...entry, attempts, category: 'PROCESSING_ERROR' as const, errorMessage: `try ${attempts}` });
        await tracker.received([healed, exhausted, done]);
        await tracker.succeeded([done]);
        await tracker.retrying([retry(healed, 1), retry(exhausted, 1), retry(done, 1)]);
        await tracker.retrying([retry(healed, 2), retry(exhausted, 2)]);
        await tracker.retrying([retry(healed, 2)]);
        await clock.advance(60_000);
        expect(await tracker.sweep(30_000)).toBe(0);
        expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 1, FAILED: 0, RETRYING: 2 });
        expect(await tracker.failures()).toEqual([]);
        const [waiting] = await tracker.get([healed.dedupKey]);
        expect(waiting).toMatchObject({ status: 'RETRYING', attempts: 2, category: 'PROCESSING_ERROR', errorMessage: 'try 2', topic: 'orders', offset: 0n });

        await tracker.succeeded([{ ...healed, attempts: 3 }]);
        await tracker.failed([retry(exhausted, 3)]);
        await tracker.retrying([retry(healed, 2)]);
        const rows = await tracker.get([healed.dedupKey, exhausted.dedupKey, done.dedupKey]);
        expect(rows.map((row) => [row?.status, row?.attempts])).toEqual([['SUCCESS', 3], ['FAILED', 3], ['SUCCESS', 1]]);
        expect(await tracker.countByStatus()).toMatchObject({ RECEIVED: 0, SUCCESS: 2, FAILED: 1 });
        expect((await tracker.countByStatus()).RETRYING ?? 0).toBe(0);
      });
    });

    it('creates the row when an update comes without a pre-insert (LIGHTWEIGHT)', async () => {
      await using(factory, async (tracker) => {
        const [entry] = entries('d', 1) as [TrackEntry];
        await tracker.failed([{ ...entry, attempts: 3, category: 'VALIDATION_ERROR', errorMessage: 'no customer' }]);
        const [row] = await tracker.get([entry.dedupKey]);
        expect(row).toMatchObject({ status: 'FAILED', attempts: 3, category: 'VALIDATION_ERROR' });
        expect(await tracker.get(['missing'])).toEqual([undefined]);
      });
    });

    it('keeps payloads, large offsets and awkward keys intact', async () => {
      await using(factory, async (tracker) => {
        const payload = new Uint8Array([0, 1, 2, 255, 254, 0x7b]);
        const key = `k'"; DROP TABLE x; -- {$ne: 1} ☃ ${'z'.repeat(200)}`;
        await tracker.received([{ dedupKey: key, topic: 't', partition: 5, offset: 2n ** 60n + 1n, attempts: 1, payload }]);
        const [row] = await tracker.get([key]);
        expect(row?.offset).toBe(2n ** 60n + 1n);
        expect(row?.payload).toEqual(payload);
        expect(row?.dedupKey).toBe(key);
      });
    });

    it('sweeps stale RECEIVED rows to FAILED with TIMEOUT_ERROR, once, even when sweeps race', async () => {
      await using(factory, async (tracker, clock) => {
        await tracker.received(entries('old', 20));
        await clock.advance(60_000);
        await tracker.received(entries('new', 5));
        const swept = await Promise.all([tracker.sweep(30_000), tracker.sweep(30_000), tracker.sweep(30_000)]);
        expect(swept.reduce((a, b) => a + b, 0)).toBe(20);
        expect(await tracker.countByStatus()).toEqual({ RECEIVED: 5, SUCCESS: 0, FAILED: 20 });
        const [old] = await tracker.get(['old-3']);
        expect(old).toMatchObject({ status: 'FAILED', category: 'TIMEOUT_ERROR' });
        expect(await tracker.sweep(30_000)).toBe(0);
      });
    });

    it('answers operator queries: failures by time and category, newest first', async () => {
      await using(factory, async (tracker, clock) => {
        const start = clock.now();
        const fail = (prefix: string, category: 'PROCESSING_ERROR' | 'VALIDATION_ERROR', count: number) =>
          tracker.failed(entries(prefix, count).map((e) => ({ ...e, category, errorMessage: prefix })));
        await fail('p1', 'PROCESSING_ERROR', 3);
        await clock.advance(1_000);
        await fail('v1', 'VALIDATION_ERROR', 2);
        await clock.advance(1_000);
        await fail('p2', 'PROCESSING_ERROR', 1);
        await tracker.succeeded(entries('ok', 4));

        expect((await tracker.failures()).length).toBe(6);
        const processing = await tracker.failures({ category: 'PROCESSING_ERROR' });
        expect(processing.map((r) => r.dedupKey)[0]).toBe('p2-0');
        expect(processing.length).toBe(4);
        const window = await tracker.failures({ since: start + 500, until: start + 1_500 });
        expect(window.map((r) => r.dedupKey).sort()).toEqual(['v1-0', 'v1-1']);
        expect((await tracker.failures({ limit: 2 })).length).toBe(2);
        expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 4, FAILED: 6 });
      });
    });
  });
}
