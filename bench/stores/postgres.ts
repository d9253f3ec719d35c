// Store benchmarks against the Postgres at DATABASE_URL (default: the local development server), in tables of their
// own that `close` drops. Each row handles 500 records per call, like one pipeline batch; keys are fresh every call.
import { createPostgresDedupStore, createPostgresTracker } from '../../adapters/postgres/index.ts';
import { databaseUrl, dropTables, uniqueName } from '../../adapters/postgres/testing.ts';
import type { TrackEntry } from '../../core/index.ts';
import type { Suite } from '../suites.ts';
import { dedupKeys, storeBatch as batch, trackEntries } from './workload.ts';


export async function postgresSuites(): Promise<{ suites: Suite[]; close(): Promise<void> }> {
  const trackerTable = uniqueName('obench_records');
  const dedupTable = uniqueName('obench_dedup');
  const options = { url: databaseUrl, trackerTable, dedupTable };
  const [tracker, store] = await Promise.all([createPostgresTracker(options), createPostgresDedupStore(options)]);
  let round = 0;
  const entries = (): TrackEntry[] => trackEntries(round++);

  const suites: Suite[] = [
    {
      name: 'postgres outbox (received + success, batch 500)',
      records: batch,
      run: async () => {
        const records = entries();
        await tracker.received(records);
        await tracker.succeeded(records);
      },
    },
    {
      name: 'postgres dedup (seen + remember, batch 500)',
      records: batch,
      run: async () => {
        const keys = dedupKeys(round++);
        await store.seen(keys);
        await store.remember(keys, 600_000);
      },
    },
    {
      name: 'postgres reliable (per-record received + success, batch 500)',
      records: batch,
      run: async () => {
        const records = entries();
        for (const record of records) await tracker.received([record]);
        await tracker.succeeded(records);
      },
    },
  ];

  return {
    suites,
    close: async () => {
      await Promise.all([tracker.close(), store.close()]);
      await dropTables([trackerTable, dedupTable]);
    },
  };
}
