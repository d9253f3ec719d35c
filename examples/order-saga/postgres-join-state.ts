import { StoreError, checkIdentifier, messageOf, redactUrl } from '../../core/index.ts';
import { connectPostgres, resolvePostgresOptions } from '../../adapters/postgres/index.ts';
import type { PostgresClient } from '../../adapters/postgres/index.ts';
import type { OrderStatus, Side, SideAnswer } from './events.ts';
import type { Decision, JoinState, JoinStateStore, OrdersPage } from './join-state.ts';

type JsonValue = Parameters<PostgresClient['json']>[0];

interface Row {
  order_id: string;
  payment: SideAnswer | null;
  stock: SideAnswer | null;
  status: OrderStatus | null;
  source: string | null;
  decided_at: Date | null;
  decided_by: string | null;
  updated_at: Date;
}

const toState = (row: Row): JoinState => ({
  orderId: Number(row.order_id),
  ...(row.payment ? { payment: row.payment } : {}),
  ...(row.stock ? { stock: row.stock } : {}),
  ...(row.status && row.decided_at && row.decided_by
    ? { decision: { status: row.status, source: row.source, decidedAt: row.decided_at.getTime(), decidedBy: row.decided_by } }
    : {}),
  updatedAt: row.updated_at.getTime(),
});

function statements(table: string) {
  const t = `"${table}"`;
  // Upserts lock the row, so two answers for one order arriving together are applied one after the other and the
  // second sees the first; the CASEs read the row as it was, keeping whatever is already there.
  const join = (column: Side) => `
    INSERT INTO ${t} AS o (order_id, ${column}, updated_at) VALUES ($1, $2::jsonb, $3)
    ON CONFLICT (order_id) DO UPDATE SET
      ${column} = COALESCE(o.${column}, EXCLUDED.${column}),
      updated_at = CASE WHEN o.${column} IS NULL THEN EXCLUDED.updated_at ELSE o.updated_at END
    RETURNING *`;
  return {
    create: `CREATE TABLE IF NOT EXISTS ${t} (
      order_id   bigint      PRIMARY KEY,
      payment    jsonb,
      stock      jsonb,
      status     text,
      source     text,
      decided_at timestamptz,
      decided_by text,
      updated_at timestamptz NOT NULL
    )`,
    join: { payment: join('payment'), stock: join('stock') },
    decide: `UPDATE ${t} AS o SET
      status = COALESCE(o.status, $2),
      source = CASE WHEN o.status IS NULL THEN $3 ELSE o.source END,
      decided_at = COALESCE(o.decided_at, $4),
      decided_by = COALESCE(o.decided_by, $5),
      updated_at = CASE WHEN o.status IS NULL THEN $4 ELSE o.updated_at END
      WHERE order_id = $1
      RETURNING *`,
    get: `SELECT * FROM ${t} WHERE order_id = $1`,
    page: `SELECT * FROM ${t} ORDER BY order_id LIMIT $1 OFFSET $2`,
    count: `SELECT count(*) AS n FROM ${t}`,
  };
}

export interface PostgresJoinStateOptions {
  /** Default DATABASE_URL, then the local development server. */
  readonly url?: string;
  /** Default `order_saga_state`. */
  readonly table?: string;
  readonly poolSize?: number;
}

/** The join state as one row per order; the table is created when missing. */
export class PostgresJoinState implements JoinStateStore {
  readonly table: string;
  readonly #sql: PostgresClient;
  readonly #server: string;
  readonly #statements: ReturnType<typeof statements>;

  private constructor(sql: PostgresClient, table: string, server: string) {
    this.#sql = sql;
    this.table = table;
    this.#server = server;
    this.#statements = statements(table);
  }

  static async open(options: PostgresJoinStateOptions = {}): Promise<PostgresJoinState> {
    const table = checkIdentifier('stateTable', options.table ?? 'order_saga_state');
    const resolved = resolvePostgresOptions({
      ...(options.url ? { url: options.url } : {}),
      poolSize: options.poolSize ?? 10,
      applicationName: 'order-saga',
    });
    const sql = await connectPostgres(resolved);
    const store = new PostgresJoinState(sql, table, redactUrl(resolved.url));
    try {
      // Instances starting together would race on CREATE TABLE IF NOT EXISTS; a transaction lock serialises them.
      await store.#run('create table', () =>
        sql.begin(async (tx) => {
          await tx.unsafe('SELECT pg_advisory_xact_lock(hashtext($1))', [table]);
          await tx.unsafe(store.#statements.create);
        }),
      );
    } catch (error) {
      await sql.end({ timeout: 0 });
      throw error;
    }
    return store;
  }

  async join(orderId: number, side: Side, answer: SideAnswer, now: number): Promise<JoinState> {
    const [row] = await this.#run('join', () => this.#sql.unsafe<Row[]>(this.#statements.join[side], [orderId, this.#sql.json(answer as unknown as JsonValue), new Date(now)]));
    return toState(row!);
  }

  async decide(orderId: number, decision: Decision): Promise<Decision> {
    const [row] = await this.#run('decide', () =>
      this.#sql.unsafe<Row[]>(this.#statements.decide, [orderId, decision.status, decision.source, new Date(decision.decidedAt), decision.decidedBy]),
    );
    const stored = row ? toState(row).decision : undefined;
    if (!stored) throw new StoreError(`order ${orderId}: decided before either answer was stored`, { retryable: false });
    return stored;
  }

  async get(orderId: number): Promise<JoinState | undefined> {
    const [row] = await this.#run('get', () => this.#sql.unsafe<Row[]>(this.#statements.get, [orderId]));
    return row ? toState(row) : undefined;
  }

  async list(offset: number, limit: number): Promise<OrdersPage> {
    const [rows, [count]] = await this.#run('list', () =>
      Promise.all([
        this.#sql.unsafe<Row[]>(this.#statements.page, [limit, offset]),
        this.#sql.unsafe<{ n: string }[]>(this.#statements.count),
      ]),
    );
    return { total: Number(count?.n ?? 0), orders: rows.map(toState) };
  }

  async ping(): Promise<void> {
    await this.#run('ping', () => this.#sql`select 1`);
  }

  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 });
  }

  async #run<T>(operation: string, query: () => PromiseLike<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`postgres join state ${operation} on ${this.table} failed (${this.#server}): ${messageOf(error)}`, { cause: error });
    }
  }
}
