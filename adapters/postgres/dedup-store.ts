import { ConfigError, redactUrl } from '../../core/index.ts';
import type { Clock, DedupStore, Logger } from '../../core/index.ts';
import { textArray } from './arrays.ts';
import type { PostgresClient } from './connect.ts';
import { ping } from './connect.ts';
import { openMigrated } from './migrations.ts';
import type { PostgresOptions } from './options.ts';
import { resolvePostgresOptions } from './options.ts';
import { QueryRunner, prepared } from './runner.ts';
import { byKey, qualified } from './sql.ts';

/** Most expired rows one purge statement deletes, so each stays short however much expired. */
const purgeBatch = 10_000;
const uniqueViolation = '23505';

function dedupStatements(schema: string, table: string) {
  const t = qualified(schema, table);
  return {
    /**
     * $1 keys, $2 now. A lookup per key by primary key, written so the planner cannot pick the expires_at index instead
     * (it does, on a young table whose statistics are stale, and scans every live row for each batch).
     */
    seen: `SELECT u.k AS dedup_key FROM unnest($1::text[]) AS u(k)
      WHERE (SELECT d.expires_at FROM ${t} AS d WHERE d.dedup_key = u.k) > $2::timestamptz`,
    /** $1 distinct keys, $2 expiry. Fails with a unique violation on a key already there: the fast path, for new keys. */
    rememberNew: `INSERT INTO ${t} (dedup_key, expires_at) SELECT k, $2::timestamptz FROM unnest($1::text[]) AS u(k)`,
    /**
     * $1 distinct keys, $2 expiry, $3 now. Returns the keys this call claimed: new ones, and expired ones taken over.
     * A key another caller holds (live) conflicts and is not returned; concurrent callers wait on each other's rows.
     */
    remember: `INSERT INTO ${t} AS d (dedup_key, expires_at) SELECT k, $2::timestamptz FROM unnest($1::text[]) AS u(k)
      ON CONFLICT (dedup_key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE d.expires_at <= $3::timestamptz
      RETURNING dedup_key`,
    /** $1 now, $2 batch. SKIP LOCKED: instances purging together split the work instead of queueing. */
    purge: `DELETE FROM ${t} WHERE dedup_key IN (
        SELECT dedup_key FROM ${t} WHERE expires_at <= $1::timestamptz LIMIT $2 FOR UPDATE SKIP LOCKED
      ) AND expires_at <= $1::timestamptz`,
  };
}

/**
 * The dedup store in a Postgres table of (dedup_key, expires_at). Expired rows count as absent and are claimed again
 * by `remember`; they are deleted lazily, at most every `purgeIntervalMs`, in the background of a `remember`.
 */
export class PostgresDedupStore implements DedupStore {
  readonly table: string;
  readonly #db: QueryRunner;
  readonly #statements: ReturnType<typeof dedupStatements>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #purgeIntervalMs: number;
  #lastPurge: number;
  #closing = false;

  /** Over an existing pool whose table is migrated; `ownsClient`: close() ends the pool too. */
  constructor(sql: PostgresClient, options: PostgresOptions = {}, ownsClient = false) {
    const resolved = resolvePostgresOptions(options);
    this.table = `${resolved.schema}.${resolved.dedupTable}`;
    this.#db = new QueryRunner(sql, `dedup on ${this.table}`, redactUrl(resolved.url), ownsClient);
    this.#statements = dedupStatements(resolved.schema, resolved.dedupTable);
    this.#clock = resolved.clock;
    this.#logger = resolved.logger;
    this.#purgeIntervalMs = resolved.purgeIntervalMs;
    this.#lastPurge = this.#clock.now();
  }

  async seen(keys: readonly string[]): Promise<boolean[]> {
    if (keys.length === 0) return [];
    const rows = await this.#db.run('seen', () =>
      this.#db.sql.unsafe<{ dedup_key: string }[]>(this.#statements.seen, [textArray([...new Set(keys)]), new Date(this.#clock.now())], prepared),
    );
    const live = new Set(rows.map((row) => row.dedup_key));
    return keys.map((key) => live.has(key));
  }

  async remember(keys: readonly string[], ttlMs: number): Promise<boolean[]> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new ConfigError('ttlMs', `must be a positive number of milliseconds; got ${ttlMs}`);
    if (keys.length === 0) return [];
    const now = this.#clock.now();
    const distinct = byKey([...new Set(keys)], (key) => key);
    const { sql } = this.#db;
    const expires = new Date(now + ttlMs);
    const literal = textArray(distinct);
    // A plain insert first, faster than the upsert; the dedup stage remembers keys it has just seen to be new.
    const claimed = await this.#db.run('remember', async () => {
      try {
        await sql.unsafe(this.#statements.rememberNew, [literal, expires], prepared);
        return new Set(distinct);
      } catch (error) {
        if ((error as { code?: unknown }).code !== uniqueViolation) throw error;
        const rows = await sql.unsafe<{ dedup_key: string }[]>(this.#statements.remember, [literal, expires, new Date(now)], prepared);
        return new Set(rows.map((row) => row.dedup_key));
      }
    });
    this.#maybePurge(now);
    // Only a key's first occurrence in the call can be new.
    return keys.map((key) => claimed.delete(key));
  }

  /** Deletes expired rows, in short statements of at most 10,000 rows; returns how many. */
  async purge(): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.#db.run('purge', () =>
        this.#db.sql.unsafe(this.#statements.purge, [new Date(this.#clock.now()), purgeBatch]),
      );
      total += result.count;
      if (result.count < purgeBatch || this.#closing) return total;
    }
  }

  async ping(): Promise<void> {
    await this.#db.run('ping', () => ping(this.#db.sql));
  }

  /** Lets calls in flight (a background purge too) finish, 5 s at most, then ends the pool when this store opened it; idempotent. */
  close(): Promise<void> {
    this.#closing = true;
    return this.#db.close();
  }

  #maybePurge(now: number): void {
    if (this.#purgeIntervalMs === 0 || this.#closing || now - this.#lastPurge < this.#purgeIntervalMs) return;
    this.#lastPurge = now;
    void this.purge().then(
      (purged) => purged > 0 && this.#logger.debug({ table: this.table, purged }, 'dedup: expired keys purged'),
      (error: unknown) => this.#logger.warn({ table: this.table, error: (error as Error).message }, 'dedup: purge failed'),
    );
  }
}

/** Connects (failing fast with a StoreError when the server is down), migrates or checks the table, and returns the store. */
export async function createPostgresDedupStore(options: PostgresOptions = {}): Promise<PostgresDedupStore> {
  const { sql, options: resolved } = await openMigrated(options, 'dedup');
  return new PostgresDedupStore(sql, resolved, true);
}
