import { ConfigError, checkBoolean, checkIdentifier, checkIntegerInRange, kindOf, redactUrl, shownValue, silentLogger, systemClock } from '../../core/index.ts';
import type { Clock, Env, Logger } from '../../core/index.ts';

/** Where and how the Postgres tracker and dedup store keep their rows. Every field is optional. */
export interface PostgresOptions {
  /** `postgres://` or `postgresql://` URL; falls back to `DATABASE_URL`, then the local development server. */
  readonly url?: string;
  /** Schema holding the tables; created by the migrations when missing. Default `public`. */
  readonly schema?: string;
  /** Default `orchestron_records`. */
  readonly trackerTable?: string;
  /** Default `orchestron_dedup`. */
  readonly dedupTable?: string;
  /** Records which migrations were applied to which table. Default `orchestron_migrations`. */
  readonly migrationsTable?: string;
  /** Most connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** Server-side limit on each statement (`statement_timeout`); 0 disables. Default 30 000. */
  readonly statementTimeoutMs?: number;
  /** Limit on opening a connection. Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Apply pending migrations on start (true) or only check the schema is current (false). Default true. */
  readonly migrate?: boolean;
  /** Dedup store: delete expired keys at most this often, piggybacked on `remember`; 0 disables. Default 60 000. */
  readonly purgeIntervalMs?: number;
  /** Shown in `pg_stat_activity`. Default `orchestron`. */
  readonly applicationName?: string;
  /** Stamps `created_at`, `updated_at` and `expires_at`. Default the system clock. */
  readonly clock?: Clock;
  /** Debug lines (duplicate keys, notices) and warnings (failed background purges). Default silent. */
  readonly logger?: Logger;
}

export type ResolvedPostgresOptions = Required<PostgresOptions>;

export const defaultDatabaseUrl = 'postgres://orchestron:orchestron@127.0.0.1:5432/orchestron';

export const postgresDefaults = {
  schema: 'public',
  trackerTable: 'orchestron_records',
  dedupTable: 'orchestron_dedup',
  migrationsTable: 'orchestron_migrations',
  poolSize: 10,
  statementTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  migrate: true,
  purgeIntervalMs: 60_000,
  applicationName: 'orchestron',
} as const;

const known = new Set<string>([...Object.keys(postgresDefaults), 'url', 'clock', 'logger']);

const field = (name: string) => `postgres.${name}`;

function databaseUrl(value: unknown): string {
  let protocol = '';
  try {
    protocol = typeof value === 'string' ? new URL(value).protocol : '';
  } catch {
    // reported below
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    const got = typeof value === 'string' ? shownValue(redactUrl(value)) : kindOf(value);
    throw new ConfigError(field('url'), `must be a postgres:// or postgresql:// URL; got ${got}`);
  }
  return value as string;
}

/** Explicit options, then the environment (`DATABASE_URL`), then the defaults; throws ConfigError naming the bad field. */
export function resolvePostgresOptions(
  options: PostgresOptions = {},
  env: Env = process.env,
): ResolvedPostgresOptions {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new ConfigError(field(key), `is not an option; allowed: ${[...known].sort().join(', ')}`);
  }
  const merged = { ...postgresDefaults, ...withoutUndefined(options) };
  const applicationName = merged.applicationName;
  if (typeof applicationName !== 'string' || applicationName.length > 63 || /[^\x20-\x7e]/.test(applicationName)) {
    throw new ConfigError(field('applicationName'), `must be printable ASCII, 63 characters at most; got ${shownValue(applicationName)}`);
  }
  checkBoolean(field('migrate'), merged.migrate);
  const tables = {
    trackerTable: checkIdentifier(field('trackerTable'), merged.trackerTable),
    dedupTable: checkIdentifier(field('dedupTable'), merged.dedupTable),
    migrationsTable: checkIdentifier(field('migrationsTable'), merged.migrationsTable),
  };
  if (new Set(Object.values(tables)).size !== 3) {
    throw new ConfigError(field('trackerTable'), `trackerTable, dedupTable and migrationsTable must differ; got ${shownValue(tables)}`);
  }
  return {
    url: databaseUrl(options.url ?? env.DATABASE_URL ?? defaultDatabaseUrl),
    schema: checkIdentifier(field('schema'), merged.schema),
    ...tables,
    poolSize: checkIntegerInRange(field('poolSize'), merged.poolSize, 1, 1_000),
    statementTimeoutMs: checkIntegerInRange(field('statementTimeoutMs'), merged.statementTimeoutMs, 0, 2_147_483_647),
    connectTimeoutMs: checkIntegerInRange(field('connectTimeoutMs'), merged.connectTimeoutMs, 1, 3_600_000),
    migrate: merged.migrate,
    purgeIntervalMs: checkIntegerInRange(field('purgeIntervalMs'), merged.purgeIntervalMs, 0, 2_147_483_647),
    applicationName,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
