import { checkIdentifier } from '../../core/index.ts';
import type { PostgresClient } from '../../adapters/postgres/index.ts';

/** The hub's table names, quoted for SQL, all from one prefix so instances (and tests) can share a database. */
export interface HubTables {
  readonly prefix: string;
  readonly events: string;
  readonly outbox: string;
  readonly deadLetters: string;
  readonly outboxPendingIndex: string;
}

const quoted = (name: string): string => `"${checkIdentifier('tablePrefix', name)}"`;

export function hubTables(prefix: string): HubTables {
  return {
    prefix,
    events: quoted(`${prefix}_events`),
    outbox: quoted(`${prefix}_outbox`),
    deadLetters: quoted(`${prefix}_dead_letter_queue`),
    outboxPendingIndex: quoted(`${prefix}_outbox_pending_idx`),
  };
}

const schema = (t: HubTables) => `
  CREATE TABLE IF NOT EXISTS ${t.events} (
    id          uuid        PRIMARY KEY,
    type        text        NOT NULL,
    source      text,
    api_key     text        NOT NULL,
    data        jsonb       NOT NULL,
    occurred_at timestamptz,
    received_at timestamptz NOT NULL,
    status      text        NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'published', 'dead_lettered'))
  );
  CREATE TABLE IF NOT EXISTS ${t.outbox} (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid        NOT NULL REFERENCES ${t.events} (id),
    topic           text        NOT NULL,
    message         jsonb       NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    last_attempt_at timestamptz,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    published_at    timestamptz
  );
  CREATE INDEX IF NOT EXISTS ${t.outboxPendingIndex} ON ${t.outbox} (next_attempt_at, id) WHERE published_at IS NULL;
  CREATE TABLE IF NOT EXISTS ${t.deadLetters} (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id        bigint      NOT NULL UNIQUE,
    event_id         uuid        NOT NULL REFERENCES ${t.events} (id),
    topic            text        NOT NULL,
    message          jsonb       NOT NULL,
    attempts         integer     NOT NULL,
    last_error       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    dead_lettered_at timestamptz NOT NULL DEFAULT now(),
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'requeued', 'discarded'))
  );`;

/** Creates the tables when missing, under a transaction-scoped advisory lock so instances starting together do it once. */
export async function migrateHub(sql: PostgresClient, tables: HubTables): Promise<void> {
  await sql.begin(async (tx) => {
    await tx.unsafe('SELECT pg_advisory_xact_lock(hashtext($1))', [`webhook-hub:${tables.prefix}`]);
    await tx.unsafe(schema(tables));
  });
}
