import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/testing/manual-clock.ts';
import type { TrackEntry } from '../../core/tracker/tracker.ts';
import { closeConnection, connectMongo } from './connect.ts';
import { resolveConnection } from './options.ts';
import { createMongoTracker } from './tracker.ts';
import type { MongoTracker } from './tracker.ts';
import { closeAdmin, countDocuments, dropCollection, freshCollection, mongo } from './test-support.ts';

afterAll(closeAdmin);

const entries = (prefix: string, count: number): TrackEntry[] =>
  Array.from({ length: count }, (_, i) => ({ dedupKey: `${prefix}-${i}`, topic: 'orders', partition: i % 3, offset: BigInt(i), attempts: 1 }));

/** Several instances (a client each) on one collection, sharing a clock, as a fleet sharing a server would. */
async function fleet(size: number, collection: string, clock: ManualClock, retentionMs?: number): Promise<MongoTracker[]> {
  return Promise.all(Array.from({ length: size }, () => createMongoTracker({ url: mongo.url, collection, clock, retentionMs })));
}

const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);

async function isFerretdb(): Promise<boolean> {
  const connection = await connectMongo(resolveConnection({ url: mongo.url }));
  await closeConnection(connection);
  return connection.ferretdb !== undefined;
}

describe('MongoDB tracker sweeps racing on several instances', () => {
  it('count every stale row exactly once, in total', async () => {
    const collection = freshCollection('sweep_race');
    const clock = new ManualClock();
    const trackers = await fleet(4, collection, clock);
    const [first] = trackers as [MongoTracker];
    try {
      for (const round of [1, 2, 3]) {
        await first.received(entries(`stale${round}`, 150));
        await clock.advance(60_000);
        await first.received(entries(`fresh${round}`, 10));
        const swept = await Promise.all(trackers.flatMap((tracker) => [tracker.sweep(30_000), tracker.sweep(30_000)]));
        expect(sum(swept)).toBe(150);
        expect(await first.countByStatus()).toEqual({ RECEIVED: 10, SUCCESS: 0, FAILED: 160 * round - 10 });
        await clock.advance(60_000);
        // The fresh rows are stale now: swept by one racing call or another, counted once.
        expect(sum(await Promise.all(trackers.map((tracker) => tracker.sweep(30_000))))).toBe(10);
      }
      expect(await first.failures({ category: 'TIMEOUT_ERROR', limit: 10_000 })).toHaveLength(480);
      expect(await first.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 0, FAILED: 480 });
      expect(sum(await Promise.all(trackers.map((tracker) => tracker.sweep(0))))).toBe(0);
    } finally {
      await Promise.all(trackers.map((tracker) => tracker.close()));
      await dropCollection(collection);
    }
  });

  it('counts a row again once it was purged and came back, and retention removes what the sweeps left', async () => {
    const collection = freshCollection('sweep_life');
    const clock = new ManualClock();
    const trackers = await fleet(3, collection, clock, 600_000);
    const [first] = trackers as [MongoTracker];
    try {
      await first.received(entries('k', 20));
      await clock.advance(60_000);
      expect(sum(await Promise.all(trackers.map((tracker) => tracker.sweep(30_000))))).toBe(20);
      // One claim per swept row on FerretDB; none on MongoDB, whose updates count exactly by themselves.
      expect(await countDocuments(collection)).toBe((await isFerretdb()) ? 40 : 20);
      await clock.advance(600_000);
      expect(await first.purgeExpired()).toBe(20);
      expect(await first.get(['k-0'])).toEqual([undefined]);

      await first.received(entries('k', 20));
      await clock.advance(60_000);
      expect(sum(await Promise.all(trackers.map((tracker) => tracker.sweep(30_000))))).toBe(20);
      await clock.advance(600_000);
      expect(await first.purgeExpired()).toBe(20);
      expect(await first.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 0, FAILED: 0 });
      expect(await countDocuments(collection)).toBe(0);
      expect(await first.purgeExpired()).toBe(0);
    } finally {
      await Promise.all(trackers.map((tracker) => tracker.close()));
      await dropCollection(collection);
    }
  });
});
