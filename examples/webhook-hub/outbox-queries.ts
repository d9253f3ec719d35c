import type { PostgresClient } from '../../adapters/postgres/index.ts';
import type { HubTables } from './tables.ts';

/** A pool or a transaction: anything that runs a statement. */
export type Queryable = Pick<PostgresClient, 'unsafe'>;

/** What an outbox row asks the relay to publish, as the event store wrote it. */
export interface OutboxMessage {
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: unknown;
}

export interface OutboxRow {
  /** A bigint, as text. */
  readonly id: string;
  readonly eventId: string;
  readonly topic: string;
  readonly message: OutboxMessage;
  /** Publish attempts that failed so far. */
  readonly attempts: number;
  readonly createdAt: Date;
}

export interface RowFailure {
  readonly id: string;
  readonly error: string;
  /** Failed attempts, this one included. */
  readonly attempts: number;
  readonly retryInMs: number;
}

/** The relay's statements, each run inside the transaction that holds the claimed rows. */
export class OutboxQueries {
  readonly #t: HubTables;

  constructor(tables: HubTables) {
    this.#t = tables;
  }

  /** Due, unpublished rows in id order; rows another relay holds are skipped, not waited for. */
  async claim(tx: Queryable, limit: number): Promise<OutboxRow[]> {
    const rows = await tx.unsafe<{ id: string; event_id: string; topic: string; message: OutboxMessage; attempts: number; created_at: Date }[]>(
      `SELECT id, event_id, topic, message, attempts, created_at FROM ${this.#t.outbox}
        WHERE published_at IS NULL AND next_attempt_at <= now()
        ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, eventId: r.event_id, topic: r.topic, message: r.message, attempts: r.attempts, createdAt: r.created_at }));
  }

  async markPublished(tx: Queryable, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.unsafe(
      `WITH done AS (
         UPDATE ${this.#t.outbox} SET published_at = now(), last_attempt_at = now() WHERE id = ANY($1::bigint[]) RETURNING event_id
       )
       UPDATE ${this.#t.events} SET status = 'published' WHERE id IN (SELECT event_id FROM done)`,
      [ids],
    );
  }

  /** Notes the failure and when the row is due again. */
  async retryLater(tx: Queryable, failures: readonly RowFailure[]): Promise<void> {
    if (failures.length === 0) return;
    await tx.unsafe(
      `UPDATE ${this.#t.outbox} AS o
          SET attempts = f.attempts, last_error = f.error, last_attempt_at = now(),
              next_attempt_at = now() + f.retry_in_ms * interval '1 millisecond'
         FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[]) AS f(id, error, attempts, retry_in_ms)
        WHERE o.id = f.id`,
      [failures.map((f) => f.id), failures.map((f) => f.error), failures.map((f) => f.attempts), failures.map((f) => f.retryInMs)],
    );
  }

  /** Moves rows out of the outbox into the dead-letter table, and marks their events dead-lettered. */
  async moveToDeadLetters(tx: Queryable, failures: readonly RowFailure[]): Promise<void> {
    if (failures.length === 0) return;
    await tx.unsafe(
      `WITH f AS (
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[]) AS f(id, error, attempts)
       ), moved AS (
         DELETE FROM ${this.#t.outbox} AS o USING f WHERE o.id = f.id
         RETURNING o.id, o.event_id, o.topic, o.message, o.created_at, f.error, f.attempts
       ), dead AS (
         INSERT INTO ${this.#t.deadLetters} (outbox_id, event_id, topic, message, attempts, last_error, created_at)
         SELECT id, event_id, topic, message, attempts, error, created_at FROM moved
         RETURNING event_id
       )
       UPDATE ${this.#t.events} SET status = 'dead_lettered' WHERE id IN (SELECT event_id FROM dead)`,
      [failures.map((f) => f.id), failures.map((f) => f.error), failures.map((f) => f.attempts)],
    );
  }

  /** Rows not yet published: the backlog gauge. */
  async backlog(sql: Queryable): Promise<number> {
    const [row] = await sql.unsafe<{ n: string }[]>(`SELECT count(*) AS n FROM ${this.#t.outbox} WHERE published_at IS NULL`);
    return Number(row?.n ?? 0);
  }
}
