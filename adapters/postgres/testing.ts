// Helpers for the Postgres integration tests and benchmarks: unique table names, and dropping them afterwards.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { defaultDatabaseUrl, postgresDefaults } from './options.ts';
import { qualified, quote } from './sql.ts';

export const databaseUrl = process.env.DATABASE_URL ?? defaultDatabaseUrl;

/** `prefix_` and 10 random hex digits: tests running in parallel, or again, never share a table. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(5).toString('hex')}`;

/** Drops the tables (or a whole schema) and forgets their migrations. */
export async function dropTables(
  tables: readonly string[],
  options: { url?: string; schema?: string; dropSchema?: boolean } = {},
): Promise<void> {
  const schema = options.schema ?? postgresDefaults.schema;
  const sql = postgres(options.url ?? databaseUrl, { max: 1, onnotice: () => {} });
  try {
    if (options.dropSchema) {
      await sql.unsafe(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`);
      return;
    }
    for (const table of tables) await sql.unsafe(`DROP TABLE IF EXISTS ${qualified(schema, table)}`);
    await sql
      .unsafe(`DELETE FROM ${qualified(schema, postgresDefaults.migrationsTable)} WHERE table_name = ANY($1::text[])`, [[...tables]])
      .catch(() => {});
  } finally {
    await sql.end({ timeout: 5 });
  }
}
