import { backoffDelay, silentLogger, sleep, systemClock } from '../../core/index.ts';
import type { Logger, RetryOptions } from '../../core/index.ts';
import type { PostgresClient } from '../../adapters/postgres/index.ts';
import { OutboxQueries } from './outbox-queries.ts';
import type { OutboxRow, RowFailure } from './outbox-queries.ts';
import type { OutboundMessage, Publisher } from './publisher.ts';
import type { HubTables } from './tables.ts';

export interface RelayOptions {
  /** Rows claimed per pass. */
  readonly batchSize: number;
  /** Pause after a pass that found less than a full batch. */
  readonly intervalMs: number;
  /** Failed publishes of a row before it moves to the dead-letter table. */
  readonly maxAttempts: number;
  /** Backoff between a row's attempts, and between passes while the broker is unavailable. */
  readonly retry: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs'>;
}

export type RelayFailure = 'retry' | 'dead_lettered' | 'broker_unavailable';

export interface RelayMetrics {
  /** Rows published, with the seconds each waited since it was accepted. */
  published(latenciesSeconds: readonly number[]): void;
  failed(outcome: RelayFailure, rows: number): void;
}

export interface RelayPass {
  readonly claimed: number;
  readonly published: number;
  readonly retrying: number;
  readonly deadLettered: number;
  /** Every record of the pass failed with a retryable error: the broker is the problem, no row was charged an attempt. */
  readonly brokerUnavailable: boolean;
}

export interface RelayDeps {
  readonly sql: PostgresClient;
  readonly tables: HubTables;
  readonly publisher: Publisher;
  readonly logger?: Logger;
  readonly metrics?: RelayMetrics;
  readonly random?: () => number;
  /** Runs after a batch is published and before its rows are marked: where a crash would duplicate, not lose. */
  readonly afterPublish?: (rows: readonly OutboxRow[]) => void | Promise<void>;
}

const toOutbound = (row: OutboxRow): OutboundMessage => ({
  topic: row.topic,
  key: row.message.key,
  value: JSON.stringify(row.message.value),
  headers: row.message.headers,
});

/**
 * The outbox relay. Each pass, in one transaction: claim due rows (`FOR UPDATE SKIP LOCKED`, so relays share the
 * work), publish them, mark the published rows; a failed row is retried with exponential backoff and full jitter, and
 * moves to the dead-letter table once it has failed `maxAttempts` times. A crash after the publish and before the
 * commit rolls the marks back: the rows are published again (at-least-once), never lost; consumers deduplicate on
 * the event id, which is the record's key and its `event_id` header.
 */
export class OutboxRelay {
  readonly #options: RelayOptions;
  readonly #deps: RelayDeps;
  readonly #queries: OutboxQueries;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #retry: RetryOptions;

  constructor(options: RelayOptions, deps: RelayDeps) {
    this.#options = options;
    this.#deps = deps;
    this.#queries = new OutboxQueries(deps.tables);
    this.#logger = deps.logger ?? silentLogger;
    this.#random = deps.random ?? Math.random;
    this.#retry = { attempts: options.maxAttempts, factor: 2, jitter: 'full', ...options.retry };
  }

  /** One claim–publish–mark round. */
  pass(): Promise<RelayPass> {
    const { sql, publisher, metrics, afterPublish } = this.#deps;
    return sql.begin(async (tx) => {
      const rows = await this.#queries.claim(tx, this.#options.batchSize);
      if (rows.length === 0) return { claimed: 0, published: 0, retrying: 0, deadLettered: 0, brokerUnavailable: false };
      const results = await publisher.publish(rows.map(toOutbound));
      await afterPublish?.(rows);

      const published = rows.filter((_, i) => results[i]?.ok);
      await this.#queries.markPublished(tx, published.map((row) => row.id));
      const now = Date.now();
      metrics?.published(published.map((row) => (now - row.createdAt.getTime()) / 1000));

      const failed = rows.flatMap((row, i) => {
        const result = results[i];
        return result && !result.ok ? [{ row, error: result.error, retryable: result.retryable }] : [];
      });
      if (failed.length === 0) return { claimed: rows.length, published: published.length, retrying: 0, deadLettered: 0, brokerUnavailable: false };

      if (published.length === 0 && failed.every((f) => f.retryable)) {
        await this.#queries.retryLater(tx, failed.map(({ row, error }) => ({ id: row.id, error, attempts: row.attempts, retryInMs: 0 })));
        metrics?.failed('broker_unavailable', failed.length);
        this.#logger.warn({ rows: failed.length, error: failed[0]?.error }, 'relay: broker unavailable; rows kept for the next pass');
        return { claimed: rows.length, published: 0, retrying: failed.length, deadLettered: 0, brokerUnavailable: true };
      }

      const charged: RowFailure[] = failed.map(({ row, error }) => {
        const attempts = row.attempts + 1;
        return { id: row.id, error, attempts, retryInMs: backoffDelay(this.#retry, attempts, this.#random) };
      });
      const dead = charged.filter((f) => f.attempts >= this.#options.maxAttempts);
      const retrying = charged.filter((f) => f.attempts < this.#options.maxAttempts);
      await this.#queries.retryLater(tx, retrying);
      await this.#queries.moveToDeadLetters(tx, dead);
      metrics?.failed('retry', retrying.length);
      metrics?.failed('dead_lettered', dead.length);
      for (const f of charged) {
        const fields = { outboxId: f.id, attempts: f.attempts, error: f.error };
        if (f.attempts >= this.#options.maxAttempts) this.#logger.error(fields, 'relay: row moved to the dead-letter table');
        else this.#logger.warn({ ...fields, retryInMs: f.retryInMs }, 'relay: publish failed; will retry');
      }
      return { claimed: rows.length, published: published.length, retrying: retrying.length, deadLettered: dead.length, brokerUnavailable: false };
    });
  }

  /** Passes until `signal` aborts: straight on after a full batch, after `intervalMs` otherwise, backing off while the broker or database is down. */
  async run(signal: AbortSignal): Promise<void> {
    let troubled = 0;
    while (!signal.aborted) {
      let wait = this.#options.intervalMs;
      try {
        const pass = await this.pass();
        if (pass.claimed > 0) this.#logger.debug({ ...pass }, 'relay pass');
        troubled = pass.brokerUnavailable ? troubled + 1 : 0;
        if (troubled > 0) wait = backoffDelay(this.#retry, troubled, this.#random);
        else if (pass.claimed === this.#options.batchSize) wait = 0;
      } catch (error) {
        troubled++;
        wait = backoffDelay(this.#retry, troubled, this.#random);
        this.#logger.error({ error: error instanceof Error ? error.message : String(error), retryInMs: wait }, 'relay pass failed');
      }
      if (wait > 0) await sleep(systemClock, wait, signal).catch(() => {});
    }
  }
}
