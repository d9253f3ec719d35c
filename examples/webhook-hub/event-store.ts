import type { PostgresClient } from '../../adapters/postgres/index.ts';
import type { HubEvent } from './event-schema.ts';
import type { HubTables } from './tables.ts';

/** Where accepted events go: the API answers 202 only once `accept` has resolved. */
export interface EventStore {
  /** Stores the event and its outbox row in one transaction: both are committed, or neither. */
  accept(event: HubEvent): Promise<void>;
  /** Rejects when the database cannot be reached. */
  ping(): Promise<void>;
}

/** The event as the relay publishes it: the message value, and its key and headers. */
export const outboxMessage = (event: HubEvent) => ({
  key: event.id,
  headers: { event_id: event.id, event_type: event.type, 'content-type': 'application/json' },
  value: event,
});

export class PostgresEventStore implements EventStore {
  readonly #sql: PostgresClient;
  readonly #tables: HubTables;
  readonly #topic: string;

  constructor(sql: PostgresClient, tables: HubTables, topic: string) {
    this.#sql = sql;
    this.#tables = tables;
    this.#topic = topic;
  }

  async accept(event: HubEvent): Promise<void> {
    const t = this.#tables;
    await this.#sql.begin(async (tx) => {
      await tx.unsafe(
        `INSERT INTO ${t.events} (id, type, source, api_key, data, occurred_at, received_at) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7)`,
        [event.id, event.type, event.source ?? null, event.apiKey, JSON.stringify(event.data), event.occurredAt ?? null, event.receivedAt],
      );
      await tx.unsafe(`INSERT INTO ${t.outbox} (event_id, topic, message) VALUES ($1, $2, $3::text::jsonb)`, [
        event.id,
        this.#topic,
        JSON.stringify(outboxMessage(event)),
      ]);
    });
  }

  async ping(): Promise<void> {
    await this.#sql`select 1`;
  }
}
