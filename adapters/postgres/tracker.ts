import { ErrorCodes, TrackStatuses, redactUrl } from '../../core/index.ts';
import type {
  Clock,
  FailureCategory,
  FailureEntry,
  FailureQuery,
  FailureTracker,
  Logger,
  StatusCounts,
  TrackEntry,
  TrackStatus,
  TrackedRecord,
} from '../../core/index.ts';
import { textArray } from './arrays.ts';
import type { PostgresClient } from './connect.ts';
import { ping } from './connect.ts';
import { openMigrated } from './migrations.ts';
import type { PostgresOptions } from './options.ts';
import { resolvePostgresOptions } from './options.ts';
import { QueryRunner, prepared } from './runner.ts';
import { byKey } from './sql.ts';
import { columns, failureColumns, merged } from './tracker-batch.ts';
import type { TrackerStatements } from './tracker-sql.ts';
import { trackerStatements } from './tracker-sql.ts';

const uniqueViolation = '23505';

interface Row {
  dedup_key: string;
  topic: string;
  partition: number;
  offset: string | bigint;
  status: TrackStatus;
  attempts: number;
  category: FailureCategory | null;
  error_message: string | null;
  payload: Uint8Array | null;
  created_at: Date;
  updated_at: Date;
}

const toRecord = (row: Row): TrackedRecord => ({
  dedupKey: row.dedup_key,
  topic: row.topic,
  partition: row.partition,
  offset: BigInt(row.offset),
  status: row.status,
  attempts: row.attempts,
  category: row.category,
  errorMessage: row.error_message,
  payload: row.payload === null ? null : new Uint8Array(row.payload),
  createdAt: row.created_at.getTime(),
  updatedAt: row.updated_at.getTime(),
});

/**
 * The failure tracker in a Postgres table: every batch operation is one statement (unnest arrays, upserts), times come
 * from the injected clock, and driver errors surface as StoreError (retryable for connection loss and timeouts) so a
 * CircuitBreaker around the calls counts them. Build it with `createPostgresTracker`, or over a pool you own.
 */
export class PostgresTracker implements FailureTracker {
  readonly table: string;
  readonly #db: QueryRunner;
  readonly #statements: TrackerStatements;
  readonly #clock: Clock;
  readonly #logger: Logger;

  /** Over an existing pool whose table is migrated; `ownsClient`: close() ends the pool too. */
  constructor(sql: PostgresClient, options: PostgresOptions = {}, ownsClient = false) {
    const resolved = resolvePostgresOptions(options);
    this.table = `${resolved.schema}.${resolved.trackerTable}`;
    this.#db = new QueryRunner(sql, `tracker on ${this.table}`, redactUrl(resolved.url), ownsClient);
    this.#statements = trackerStatements(resolved.schema, resolved.trackerTable);
    this.#clock = resolved.clock;
    this.#logger = resolved.logger;
  }

  /**
   * Tries a plain insert first, which Postgres does faster than ON CONFLICT DO NOTHING; only when a key is already there
   * (a redelivery) does it run again with ON CONFLICT. Postgres logs the first attempt's unique violation.
   */
  async received(entries: readonly TrackEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const parameters = [...columns(this.#db.sql, byKey(entries, (e) => e.dedupKey)), this.#now()];
    const { sql } = this.#db;
    const result = await this.#db.run('received', async () => {
      try {
        return await sql.unsafe(this.#statements.receivedNew, parameters, prepared);
      } catch (error) {
        if ((error as { code?: unknown }).code !== uniqueViolation) throw error;
        return sql.unsafe(this.#statements.received, parameters, prepared);
      }
    });
    const duplicates = entries.length - result.count;
    if (duplicates > 0) this.#logger.debug({ table: this.table, duplicates }, 'tracker: rows already there, left as they were');
  }

  async succeeded(entries: readonly TrackEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = merged(entries);
    await this.#db.run('succeeded', () => this.#db.sql.unsafe(this.#statements.succeeded, [...columns(this.#db.sql, rows), this.#now()], prepared));
  }

  failed(entries: readonly FailureEntry[]): Promise<void> {
    return this.#failure('failed', entries);
  }

  retrying(entries: readonly FailureEntry[]): Promise<void> {
    return this.#failure('retrying', entries);
  }

  async #failure(operation: 'failed' | 'retrying', entries: readonly FailureEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = merged(entries);
    await this.#db.run(operation, () =>
      this.#db.sql.unsafe(this.#statements[operation], [
        ...columns(this.#db.sql, rows),
        this.#now(),
        ...failureColumns(rows),
      ], prepared),
    );
  }

  async sweep(olderThanMs: number): Promise<number> {
    const now = this.#clock.now();
    const result = await this.#db.run('sweep', () =>
      this.#db.sql.unsafe(this.#statements.sweep, [
        `still RECEIVED after ${olderThanMs} ms (safeguard sweep)`,
        new Date(now),
        new Date(now - olderThanMs),
        ErrorCodes.TIMEOUT_ERROR,
      ]),
    );
    return result.count;
  }

  async get(dedupKeys: readonly string[]): Promise<(TrackedRecord | undefined)[]> {
    if (dedupKeys.length === 0) return [];
    const rows = await this.#db.run('get', () => this.#db.sql.unsafe<Row[]>(this.#statements.get, [textArray(dedupKeys)], prepared));
    const found = new Map(rows.map((row) => [row.dedup_key, toRecord(row)]));
    return dedupKeys.map((key) => found.get(key));
  }

  async countByStatus(): Promise<StatusCounts> {
    const rows = await this.#db.run('countByStatus', () =>
      this.#db.sql.unsafe<{ status: TrackStatus; n: string | bigint }[]>(this.#statements.countByStatus),
    );
    const counts: StatusCounts = Object.fromEntries(TrackStatuses.filter((status) => status !== 'RETRYING').map((status) => [status, 0])) as StatusCounts;
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async failures(query: FailureQuery = {}): Promise<TrackedRecord[]> {
    const time = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));
    const rows = await this.#db.run('failures', () =>
      this.#db.sql.unsafe<Row[]>(this.#statements.failures, [
        time(query.since),
        time(query.until),
        query.category ?? null,
        query.limit ?? null,
      ]),
    );
    return rows.map(toRecord);
  }

  async ping(): Promise<void> {
    await this.#db.run('ping', () => ping(this.#db.sql));
  }

  /** Lets calls in flight finish (5 s at most), then ends the pool when this tracker opened it; idempotent. */
  close(): Promise<void> {
    return this.#db.close();
  }

  #now(): Date {
    return new Date(this.#clock.now());
  }
}

/** Connects (failing fast with a StoreError when the server is down), migrates or checks the table, and returns the tracker. */
export async function createPostgresTracker(options: PostgresOptions = {}): Promise<PostgresTracker> {
  const { sql, options: resolved } = await openMigrated(options, 'tracker');
  return new PostgresTracker(sql, resolved, true);
}
