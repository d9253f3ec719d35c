import { afterAll } from 'vitest';
import { trackerContract } from '../../core/testing/tracker-contract.ts';
import { createMongoTracker } from './tracker.ts';
import { closeAdmin, dropCollection, freshCollection, mongo } from './test-support.ts';

afterAll(closeAdmin);

trackerContract('mongodb', async (clock) => {
  const collection = freshCollection('tracker');
  const tracker = await createMongoTracker({ url: mongo.url, collection, clock });
  return { tracker, cleanup: () => dropCollection(collection) };
});
