import { StoreError, redactUrl } from '../../core/index.ts';
import type { PostgresClient } from './connect.ts';
import { connectPostgres } from './connect.ts';
import { storeError } from './errors.ts';
import type { PostgresOptions, ResolvedPostgresOptions } from './options.ts';
import { resolvePostgresOptions } from './options.ts';
import { indexName, qualified, quote } from './sql.ts';

/** The tables the migrations look after. */
export type MigrationTarget = 'tracker' | 'dedup';
export const MigrationTargets: readonly MigrationTarget[] = ['tracker', 'dedup'];

/** One schema change for one table; `sql` builds its statements for the configured names. Never edit one once released: add the next. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (schema: string, table: string) => string;
}

export const trackerMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create records table',
    sql: (schema, table) => `
      CREATE TABLE ${qualified(schema, table)} (
        dedup_key     text        PRIMARY KEY,
        topic         text        NOT NULL,
        partition     integer     NOT NULL,
        "offset"      bigint      NOT NULL,
        status        text        NOT NULL CHECK (status IN ('RECEIVED', 'SUCCESS', 'FAILED')),
        attempts      integer     NOT NULL,
        category      text,
        error_message text,
        payload       bytea,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      );
      CREATE INDEX ${quote(indexName(table, 'received_idx'))} ON ${qualified(schema, table)} (updated_at) WHERE status = 'RECEIVED';
      CREATE INDEX ${quote(indexName(table, 'failed_idx'))} ON ${qualified(schema, table)} (updated_at DESC) WHERE status = 'FAILED';`,
  },
  {
    version: 2,
    name: 'allow the RETRYING status',
    // The first migration's CHECK has the name Postgres gave it; it is found by its definition rather than guessed.
    sql: (schema, table) => `
      DO $$
      DECLARE found text;
      BEGIN
        FOR found IN SELECT conname FROM pg_constraint
          WHERE conrelid = '${qualified(schema, table)}'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%status%'
        LOOP
          EXECUTE format('ALTER TABLE ${qualified(schema, table)} DROP CONSTRAINT %I', found);
        END LOOP;
      END $$;
      ALTER TABLE ${qualified(schema, table)} ADD CONSTRAINT ${quote(indexName(table, 'status_check'))}
        CHECK (status IN ('RECEIVED', 'SUCCESS', 'FAILED', 'RETRYING'));`,
  },
];

export const dedupMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create dedup table',
    sql: (schema, table) => `
      CREATE TABLE ${qualified(schema, table)} (
        dedup_key  text        PRIMARY KEY,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX ${quote(indexName(table, 'expires_idx'))} ON ${qualified(schema, table)} (expires_at);`,
  },
];

const plan = (options: ResolvedPostgresOptions, target: MigrationTarget) =>
  target === 'tracker'
    ? { table: options.trackerTable, migrations: trackerMigrations }
    : { table: options.dedupTable, migrations: dedupMigrations };

/** A fixed key for pg_advisory_xact_lock: every instance migrating any table waits for the others. */
const migrationLock = 0x6f72636865737472n;

export interface AppliedMigration {
  readonly table: string;
  readonly version: number;
  readonly name: string;
}

export interface MigrateOptions {
  /** Which tables; default both. */
  readonly targets?: readonly MigrationTarget[];
  /** Use this pool instead of opening (and closing) one. */
  readonly client?: PostgresClient;
}

/**
 * Brings the tables up to date: in one transaction holding an advisory lock, so instances starting together migrate
 * once and the others wait, then see the work done. Returns what it applied (nothing when already current).
 */
export async function migrate(options: PostgresOptions = {}, how: MigrateOptions = {}): Promise<AppliedMigration[]> {
  const resolved = resolvePostgresOptions(options);
  const sql = how.client ?? (await connectPostgres(resolved));
  try {
    return await applyMigrations(sql, resolved, how.targets ?? MigrationTargets);
  } finally {
    if (!how.client) await sql.end({ timeout: 5 });
  }
}

export async function applyMigrations(
  sql: PostgresClient,
  options: ResolvedPostgresOptions,
  targets: readonly MigrationTarget[],
): Promise<AppliedMigration[]> {
  const { schema, migrationsTable, logger } = options;
  const ledger = qualified(schema, migrationsTable);
  try {
    return await sql.begin(async (tx) => {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(${migrationLock})`);
      // Only when missing: CREATE SCHEMA checks the CREATE privilege on the database even with IF NOT EXISTS.
      const [found] = await tx.unsafe(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
      if (!found) await tx.unsafe(`CREATE SCHEMA ${quote(schema)}`);
      await tx.unsafe(`
        CREATE TABLE IF NOT EXISTS ${ledger} (
          table_name text        NOT NULL,
          version    integer     NOT NULL,
          name       text        NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (table_name, version)
        )`);
      const applied: AppliedMigration[] = [];
      for (const target of targets) {
        const { table, migrations } = plan(options, target);
        const rows = await tx.unsafe<{ version: number }[]>(`SELECT version FROM ${ledger} WHERE table_name = $1`, [table]);
        const done = new Set(rows.map((row) => row.version));
        for (const migration of migrations) {
          if (done.has(migration.version)) continue;
          await tx.unsafe(migration.sql(schema, table));
          await tx.unsafe(`INSERT INTO ${ledger} (table_name, version, name) VALUES ($1, $2, $3)`, [
            table,
            migration.version,
            migration.name,
          ]);
          applied.push({ table, version: migration.version, name: migration.name });
          logger.info({ schema, table, version: migration.version, migration: migration.name }, 'postgres migration applied');
        }
      }
      return applied;
    });
  } catch (error) {
    throw storeError('migration', redactUrl(options.url), error);
  }
}

/** For `migrate: false`: fails unless the target's table has every migration this version knows. */
export async function checkMigrated(sql: PostgresClient, options: ResolvedPostgresOptions, target: MigrationTarget): Promise<void> {
  const { table, migrations } = plan(options, target);
  const latest = migrations.at(-1)?.version ?? 0;
  let current = 0;
  try {
    const [row] = await sql.unsafe<{ version: number | null }[]>(
      `SELECT max(version) AS version FROM ${qualified(options.schema, options.migrationsTable)} WHERE table_name = $1`,
      [table],
    );
    current = row?.version ?? 0;
  } catch (error) {
    if ((error as { code?: unknown }).code !== '42P01') throw storeError('schema check', redactUrl(options.url), error);
  }
  if (current < latest) {
    throw new StoreError(
      `postgres table ${options.schema}.${table} is at migration ${current}, this version needs ${latest}: run migrate, or start with migrate enabled`,
      { retryable: false },
    );
  }
}

/** What the factories do: connect (a StoreError when the server is down), then migrate or check the target's table. */
export async function openMigrated(
  options: PostgresOptions,
  target: MigrationTarget,
): Promise<{ sql: PostgresClient; options: ResolvedPostgresOptions }> {
  const resolved = resolvePostgresOptions(options);
  const sql = await connectPostgres(resolved);
  try {
    if (resolved.migrate) await applyMigrations(sql, resolved, [target]);
    else await checkMigrated(sql, resolved, target);
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw error;
  }
  return { sql, options: resolved };
}
