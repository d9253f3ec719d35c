import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/testing/manual-clock.ts';
import type { FailureEntry, TrackEntry } from '../../core/tracker/tracker.ts';
import { closeConnection, connectMongo, ferretdbMaxUpdatesPerCommand } from './connect.ts';
import { resolveConnection } from './options.ts';
import { createMongoTracker } from './tracker.ts';
import { closeAdmin, dropCollection, freshCollection, mongo } from './test-support.ts';

afterAll(closeAdmin);

const entries = (prefix: string, count: number, attempts = 1): TrackEntry[] =>
  Array.from({ length: count }, (_, i) => ({ dedupKey: `${prefix}-${i}`, topic: 'orders', partition: i % 3, offset: BigInt(i), attempts }));

const failures = (list: TrackEntry[], errorMessage: string): FailureEntry[] =>
  list.map((e) => ({ ...e, category: 'PROCESSING_ERROR', errorMessage }));

describe('MongoDB tracker bulk updates', () => {
  it('splits update commands on FerretDB, and not on MongoDB', async () => {
    const connection = await connectMongo(resolveConnection({ url: mongo.url }));
    try {
      expect(connection.maxUpdatesPerCommand).toBe(connection.ferretdb === undefined ? 100_000 : ferretdbMaxUpdatesPerCommand);
    } finally {
      await closeConnection(connection);
    }
  });

  it('updates a batch of 500 existing records, then fails 500 with SUCCESS rows among them', async () => {
    const collection = freshCollection('bulk_tracker');
    const clock = new ManualClock();
    const tracker = await createMongoTracker({ url: mongo.url, collection, clock });
    try {
      const batch = entries('b', 500);
      await tracker.received(batch);
      await clock.advance(1_000);
      // Every 7th record succeeded already (a late duplicate of those fails): the upserts hit SUCCESS rows mid-command.
      await tracker.succeeded(batch.filter((_, i) => i % 7 === 0));
      await tracker.failed(failures(batch, 'pricing down'));
      const succeeded = batch.filter((_, i) => i % 7 === 0).length;
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: succeeded, FAILED: 500 - succeeded });

      // Redelivered with attempts 2, the whole batch goes through; the same call twice in a row changes nothing more.
      await tracker.succeeded(entries('b', 500, 2));
      await tracker.succeeded([...entries('b', 3, 2), ...entries('b', 3, 2)]);
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 500, FAILED: 0 });
      const [first, last] = await tracker.get(['b-0', 'b-499']);
      expect(first).toMatchObject({ status: 'SUCCESS', attempts: 2, category: null, errorMessage: null, createdAt: clock.now() - 1_000 });
      expect(last).toMatchObject({ status: 'SUCCESS', attempts: 2, offset: 499n });
    } finally {
      await tracker.close();
      await dropCollection(collection);
    }
  });
});
