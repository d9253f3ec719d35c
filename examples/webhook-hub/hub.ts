import type { Logger } from '../../core/index.ts';
import type { Server } from '../../service/host.ts';
import { serveOnNode } from '../../service/http/node-server.ts';
import { ensureTopics } from '../../adapters/kafka/index.ts';
import { connectPostgres } from '../../adapters/postgres/index.ts';
import type { PostgresClient } from '../../adapters/postgres/index.ts';
import { ApiKeys } from './api-keys.ts';
import { createHubApp } from './app.ts';
import type { ResolvedHubOptions } from './config.ts';
import { PostgresEventStore } from './event-store.ts';
import { KafkaPublisher } from './kafka-publisher.ts';
import { HubMetrics } from './metrics.ts';
import { OutboxQueries } from './outbox-queries.ts';
import type { OutboxRow } from './outbox-queries.ts';
import { RateLimiter } from './rate-limit.ts';
import { OutboxRelay } from './relay.ts';
import { hubTables, migrateHub } from './tables.ts';
import type { HubTables } from './tables.ts';

export interface HubRoles {
  /** Serve the HTTP API. */
  readonly api: boolean;
  /** Run the outbox relay. */
  readonly relay: boolean;
}

export interface HubDeps {
  readonly logger: Logger;
  readonly roles?: HubRoles;
  /** Passed to the relay: runs between the publish of a batch and its marks. */
  readonly afterPublish?: (rows: readonly OutboxRow[]) => void | Promise<void>;
}

export interface Hub {
  readonly tables: HubTables;
  readonly metrics: HubMetrics;
  /** `http://host:port` once the API listens. */
  readonly url?: string;
  readonly relay?: OutboxRelay;
  /** Stops taking requests, lets the relay finish its pass, closes the clients. */
  stop(): Promise<void>;
}

/** Connects to Postgres, creates the tables when missing, then starts the API and/or the relay. */
export async function startHub(options: ResolvedHubOptions, deps: HubDeps): Promise<Hub> {
  const roles = deps.roles ?? { api: true, relay: true };
  const sql: PostgresClient = await connectPostgres({ url: options.databaseUrl, applicationName: 'webhook-hub' });
  const tables = hubTables(options.tablePrefix);
  const queries = new OutboxQueries(tables);
  const metrics = new HubMetrics(() => queries.backlog(sql));
  const stopping = new AbortController();
  let server: Server | undefined;
  let publisher: KafkaPublisher | undefined;
  let relayRun: Promise<void> | undefined;
  let relay: OutboxRelay | undefined;
  let url: string | undefined;
  try {
    await migrateHub(sql, tables);
    if (roles.relay) {
      await ensureTopics(options.brokers, [{ name: options.topic }]);
      publisher = new KafkaPublisher({ brokers: options.brokers, clientId: `webhook-hub-relay-${options.tablePrefix}`, timeoutMs: options.publishTimeoutMs });
      relay = new OutboxRelay(
        {
          batchSize: options.batchSize,
          intervalMs: options.intervalMs,
          maxAttempts: options.maxAttempts,
          retry: { initialDelayMs: options.retryInitialDelayMs, maxDelayMs: options.retryMaxDelayMs },
        },
        { sql, tables, publisher, logger: deps.logger, metrics, ...(deps.afterPublish ? { afterPublish: deps.afterPublish } : {}) },
      );
      relayRun = relay.run(stopping.signal);
    }
    if (roles.api) {
      const app = createHubApp({
        events: new PostgresEventStore(sql, tables, options.topic),
        apiKeys: new ApiKeys(options.apiKeys),
        limiter: new RateLimiter({ ratePerSecond: options.rateLimit, burst: options.rateLimitBurst }),
        metrics,
        maxPayloadBytes: options.maxPayloadBytes,
        logger: deps.logger,
      });
      server = await serveOnNode(app.fetch, { host: options.host, port: options.port });
      url = server.url;
    }
  } catch (error) {
    stopping.abort();
    await relayRun;
    await publisher?.close().catch(() => {});
    await sql.end({ timeout: 5 });
    throw error;
  }

  let stopped: Promise<void> | undefined;
  const stop = async () => {
    stopping.abort();
    await server?.close();
    await relayRun;
    await publisher?.close();
    await sql.end({ timeout: 5 });
  };
  return { tables, metrics, ...(url ? { url } : {}), ...(relay ? { relay } : {}), stop: () => (stopped ??= stop()) };
}
