import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, StoreError } from '../../core/index.ts';
import { dedupMigrations, migrate, trackerMigrations } from './migrations.ts';
import { createPostgresDedupStore } from './dedup-store.ts';
import { createPostgresTracker } from './tracker.ts';
import { databaseUrl, dropTables, uniqueName } from './testing.ts';

const admin = postgres(databaseUrl, { max: 2, onnotice: () => {} });
afterAll(() => admin.end());

const ledger = (schema: string, tables: string[]) =>
  admin.unsafe<{ table_name: string; version: number; name: string }[]>(
    `SELECT table_name, version, name FROM "${schema}".orchestron_migrations WHERE table_name = ANY($1::text[]) ORDER BY table_name, version`,
    [tables],
  );

describe('postgres migrations', () => {
  it('migrate once when several instances start together, and record each version', async () => {
    const trackerTable = uniqueName('orchestron_records_test');
    const dedupTable = uniqueName('orchestron_dedup_test');
    const options = { url: databaseUrl, trackerTable, dedupTable };
    try {
      const runs = await Promise.all([migrate(options), migrate(options), migrate(options), migrate(options)]);
      expect(runs.map((applied) => applied.length).sort()).toEqual([0, 0, 0, trackerMigrations.length + dedupMigrations.length]);
      expect(await migrate(options)).toEqual([]);
      const rows = await ledger('public', [trackerTable, dedupTable]);
      expect(rows.map((row) => `${row.table_name === trackerTable ? 'tracker' : 'dedup'}:${row.version}`).sort()).toEqual([
        ...dedupMigrations.map((m) => `dedup:${m.version}`),
        ...trackerMigrations.map((m) => `tracker:${m.version}`),
      ]);
      const indexes = await admin.unsafe<{ indexname: string }[]>(
        `SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`,
        [trackerTable],
      );
      expect(indexes.map((i) => i.indexname)).toEqual([`${trackerTable}_failed_idx`, `${trackerTable}_pkey`, `${trackerTable}_received_idx`]);
    } finally {
      await dropTables([trackerTable, dedupTable]);
    }
  });

  it('creates a configured schema, and long table names keep distinct index names', async () => {
    const schema = uniqueName('orchestron_schema_test');
    const stem = `t${'x'.repeat(50)}`;
    const options = { url: databaseUrl, schema, trackerTable: uniqueName(stem), dedupTable: uniqueName(stem) };
    try {
      await Promise.all([migrate(options), migrate(options)]);
      const tracker = await createPostgresTracker({ ...options, migrate: false });
      await tracker.received([{ dedupKey: 'k', topic: 't', partition: 0, offset: 1n, attempts: 1 }]);
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 1, SUCCESS: 0, FAILED: 0 });
      await tracker.close();
      const indexes = await admin.unsafe<{ indexname: string }[]>(`SELECT indexname FROM pg_indexes WHERE schemaname = $1`, [schema]);
      expect(indexes.length).toBe(6); // 3 tracker, 2 dedup, the migrations table's key
      expect(indexes.filter((i) => i.indexname.endsWith('_received_idx')).length).toBe(1);
    } finally {
      await dropTables([], { schema, dropSchema: true });
    }
  });

  it('with migrate: false, refuses a table that is not migrated and says what to do', async () => {
    const trackerTable = uniqueName('orchestron_records_test');
    const dedupTable = uniqueName('orchestron_dedup_test');
    const schema = uniqueName('orchestron_schema_test');
    try {
      for (const open of [
        () => createPostgresTracker({ url: databaseUrl, trackerTable, migrate: false }),
        () => createPostgresDedupStore({ url: databaseUrl, dedupTable, migrate: false }),
        () => createPostgresTracker({ url: databaseUrl, schema, migrate: false }), // no migrations table at all
      ]) {
        const error = await open().then(() => undefined, (thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).message).toMatch(/is at migration 0, this version needs \d+: run migrate/);
        expect((error as StoreError).retryable).toBe(false);
      }
    } finally {
      await dropTables([trackerTable, dedupTable]);
    }
  });

  it('refuses names that could inject SQL before connecting anywhere', async () => {
    for (const trackerTable of ['x; DROP TABLE users', 'a"b', 'x--']) {
      await expect(migrate({ url: 'postgres://nobody@127.0.0.1:1/none', trackerTable })).rejects.toBeInstanceOf(ConfigError);
    }
  });
});
