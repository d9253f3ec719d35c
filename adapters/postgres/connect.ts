import postgres from 'postgres';
import { StoreError, redactUrl } from '../../core/index.ts';
import { describe, isRetryable } from './errors.ts';
import type { PostgresOptions, ResolvedPostgresOptions } from './options.ts';
import { resolvePostgresOptions } from './options.ts';
import { dialer } from './socket.ts';

/** A postgres.js client (a connection pool). */
export type PostgresClient = postgres.Sql;

const multiHost = (url: string): boolean => {
  try {
    return new URL(url).host.includes(',');
  } catch {
    return false;
  }
};

/** Opens a pool with the options' size and timeouts. Lazy: nothing is dialled until the first query. */
export function createClient(options: ResolvedPostgresOptions): PostgresClient {
  // postgres.js fails over between hosts itself, which a socket of ours would bypass.
  const socket = multiHost(options.url) ? {} : { socket: dialer() };
  return postgres(options.url, {
    ...socket,
    max: options.poolSize,
    connect_timeout: options.connectTimeoutMs / 1000,
    // postgres.js waits up to 20 s between dials after repeated failures; the breaker already spaces out calls
    // during an outage, so a short wait lets the pool come back as soon as the server does.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2),
    onnotice: (notice) => options.logger.debug({ notice: notice.message }, 'postgres notice'),
    connection: {
      application_name: options.applicationName,
      statement_timeout: options.statementTimeoutMs,
    },
  });
}

/** A cheap round trip; rejects when the server cannot be reached. */
export async function ping(sql: PostgresClient): Promise<void> {
  await sql`select 1`;
}

/**
 * Opens a pool and proves the server answers. A server that cannot be reached gives a StoreError naming the URL with
 * its password redacted; the pool is closed again so nothing keeps retrying in the background.
 */
export async function connectPostgres(options: PostgresOptions | ResolvedPostgresOptions = {}): Promise<PostgresClient> {
  const resolved = resolvePostgresOptions(options);
  let sql: PostgresClient | undefined;
  try {
    sql = createClient(resolved);
    await ping(sql);
    return sql;
  } catch (error) {
    await sql?.end({ timeout: 0 }).catch(() => {});
    throw new StoreError(`cannot connect to PostgreSQL at ${redactUrl(resolved.url)}: ${describe(error)}`, {
      cause: error,
      retryable: isRetryable(error),
    });
  }
}
