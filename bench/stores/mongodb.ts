// MongoDB store benchmarks: the tracker's OUTBOX round (bulk RECEIVED, then bulk SUCCESS) and the dedup stage's
// round (seen, then remember) for one batch of 500, against MONGO_URL (FerretDB locally).
import type { MongoClient } from 'mongodb';
import { connectMongo, createMongoDedupStore, createMongoTracker, resolveConnection } from '../../adapters/mongodb/index.ts';
import { batchSize } from '../fixtures.ts';
import type { Suite } from '../suites.ts';
import { dedupKeys, trackEntries } from './workload.ts';

/**
 * Calls per collection. FerretDB 1.x scans the whole collection for every update statement (docs/stores/mongodb.md,
 * FerretDB note 2), so an ever-growing collection would make each call slower than the last and a figure depend on
 * how long the bench ran. A fresh collection every 4 calls keeps every call at 2,000 rows at most.
 */
const callsPerCollection = 4;

interface Closable {
  close(): Promise<void>;
}

/** A store on a fresh collection every `callsPerCollection` calls; the next one is prepared in the background. */
function rotating<S extends Closable>(client: MongoClient, database: string, prefix: string, open: (collection: string) => Promise<S>) {
  let generation = 0;
  let calls = 0;
  let current: { store: S; name: string } | undefined;
  const prepare = () => {
    const name = `${prefix}_${generation++}`;
    const ready = open(name).then((store) => ({ store, name }));
    ready.catch(() => {}); // awaited when it is needed; this only keeps an early failure from going unhandled
    return ready;
  };
  let next = prepare();
  const retired: Promise<unknown>[] = [];
  const retire = ({ store, name }: { store: S; name: string }) =>
    store.close().then(() => client.db(database).collection(name).drop().catch(() => {}));

  return {
    /** Resolves once the first collection is ready; rejects as its creation did. */
    async ready(): Promise<void> {
      await next;
    },
    async store(): Promise<S> {
      if (current === undefined || calls === callsPerCollection) {
        if (current) retired.push(retire(current));
        current = await next;
        next = prepare();
        calls = 0;
      }
      calls++;
      return current.store;
    },
    async close(): Promise<void> {
      const last = [current, await next.catch(() => undefined)].filter((s) => s !== undefined);
      await Promise.all([...retired, ...last.map(retire)]);
    },
  };
}

export async function mongoSuites(): Promise<{ suites: Suite[]; close(): Promise<void> }> {
  const connection = resolveConnection();
  // One client shared by every store; they leave it open, close() below ends it.
  const { client } = await connectMongo(connection);
  const { database } = connection;
  const suffix = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const trackers = rotating(client, database, `bench_tracker_${suffix}`, (collection) =>
    createMongoTracker({ client, database, collection }),
  );
  const stores = rotating(client, database, `bench_dedup_${suffix}`, (collection) =>
    createMongoDedupStore({ client, database, collection }),
  );
  try {
    await Promise.all([trackers.ready(), stores.ready()]);
  } catch (error) {
    await Promise.all([trackers.close(), stores.close()]).catch(() => {});
    await client.close();
    throw error;
  }
  let round = 0;

  const suites: Suite[] = [
    {
      name: `mongodb outbox (received + success, batch ${batchSize})`,
      records: batchSize,
      run: async () => {
        const tracker = await trackers.store();
        const batch = trackEntries(round++);
        await tracker.received(batch);
        await tracker.succeeded(batch);
      },
    },
    {
      name: `mongodb dedup (seen + remember, batch ${batchSize})`,
      records: batchSize,
      run: async () => {
        const store = await stores.store();
        const keys = dedupKeys(round++);
        await store.seen(keys);
        await store.remember(keys, 3_600_000);
      },
    },
  ];
  const close = async () => {
    try {
      await Promise.all([trackers.close(), stores.close()]);
    } finally {
      await client.close();
    }
  };
  return { suites, close };
}
