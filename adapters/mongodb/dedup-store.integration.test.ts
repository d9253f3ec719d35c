import { afterAll } from 'vitest';
import { dedupContract } from '../../core/testing/dedup-contract.ts';
import { createMongoDedupStore } from './dedup-store.ts';
import { closeAdmin, dropCollection, freshCollection, mongo } from './test-support.ts';

afterAll(closeAdmin);

dedupContract('mongodb', async () => {
  const collection = freshCollection('dedup');
  const store = await createMongoDedupStore({ url: mongo.url, collection });
  return { store, cleanup: () => dropCollection(collection) };
});
