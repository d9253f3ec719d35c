import { ConfigError, checkIntegerInRange, checkKeyPrefix, kindOf, redactUrl, shownValue } from '../../core/index.ts';
import type { Env } from '../../core/index.ts';

/** Connection and namespace settings shared by the Redis tracker and dedup store. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS); default from REDIS_URL, then redis://127.0.0.1:6379. */
  readonly url?: string;
  /** Every key starts with `<keyPrefix>:`; letters, digits and `_ . : -`, 64 at most. Default `orchestron`. */
  readonly keyPrefix?: string;
  /** A command without a reply after this long fails with a retryable StoreError. Default 3000 (under the breaker's 5 s). */
  readonly commandTimeoutMs?: number;
  /** Deadline for opening the TCP connection, at start and on every reconnect. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts while the server is gone (they back off up to it). Default 2000. */
  readonly reconnectMaxDelayMs?: number;
  /** Shown by CLIENT LIST. Default `orchestron`. */
  readonly connectionName?: string;
}

export interface RedisTrackerOptions extends RedisStoreOptions {
  /** Each record expires this long after its last update; 0 keeps records until deleted. Default 0. */
  readonly recordTtlMs?: number;
  /** Most stale rows one sweep script moves before yielding the server to other clients. Default 1000. */
  readonly sweepChunkSize?: number;
}

export interface ResolvedRedisOptions {
  readonly url: string;
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly connectionName: string;
}

export interface ResolvedTrackerOptions extends ResolvedRedisOptions {
  readonly recordTtlMs: number;
  readonly sweepChunkSize: number;
}

export type { Env };

export const redisDefaults = {
  url: 'redis://127.0.0.1:6379',
  keyPrefix: 'orchestron',
  commandTimeoutMs: 3_000,
  connectTimeoutMs: 5_000,
  reconnectMaxDelayMs: 2_000,
  connectionName: 'orchestron',
  recordTtlMs: 0,
  sweepChunkSize: 1_000,
} as const;

const protocols = ['redis:', 'rediss:'];
const dayMs = 86_400_000;

function checkUrl(value: unknown): string {
  const shown = typeof value === 'string' ? shownValue(redactUrl(value)) : kindOf(value);
  let url: URL;
  try {
    if (typeof value !== 'string') throw new TypeError('not a string');
    url = new URL(value);
  } catch {
    throw new ConfigError('redis.url', `must be a redis:// or rediss:// URL; got ${shown}`);
  }
  if (typeof value !== 'string' || !protocols.includes(url.protocol) || !url.hostname) {
    throw new ConfigError('redis.url', `must be a redis:// or rediss:// URL with a host; got ${shown}`);
  }
  if (url.pathname.length > 1 && !/^\/\d{1,2}$/.test(url.pathname)) {
    throw new ConfigError('redis.url', `the path may only name a database number (/0 to /99); got ${shown}`);
  }
  return value;
}

function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(value)) {
    throw new ConfigError(field, `must be 1 to 64 printable ASCII characters without spaces; got ${shownValue(value)}`);
  }
  return value;
}

/** Explicit options, then the environment (REDIS_URL), then defaults; validated once, here. */
export function resolveRedisOptions(options: RedisStoreOptions = {}, env: Env = process.env): ResolvedRedisOptions {
  const envUrl = env.REDIS_URL?.trim() || undefined;
  return {
    url: checkUrl(options.url ?? envUrl ?? redisDefaults.url),
    keyPrefix: checkKeyPrefix('redis.keyPrefix', options.keyPrefix ?? redisDefaults.keyPrefix),
    commandTimeoutMs: checkIntegerInRange('redis.commandTimeoutMs', options.commandTimeoutMs ?? redisDefaults.commandTimeoutMs, 1, 600_000),
    connectTimeoutMs: checkIntegerInRange('redis.connectTimeoutMs', options.connectTimeoutMs ?? redisDefaults.connectTimeoutMs, 1, 600_000),
    reconnectMaxDelayMs: checkIntegerInRange(
      'redis.reconnectMaxDelayMs',
      options.reconnectMaxDelayMs ?? redisDefaults.reconnectMaxDelayMs,
      1,
      600_000,
    ),
    connectionName: checkName('redis.connectionName', options.connectionName ?? redisDefaults.connectionName),
  };
}

export function resolveTrackerOptions(options: RedisTrackerOptions = {}, env: Env = process.env): ResolvedTrackerOptions {
  return {
    ...resolveRedisOptions(options, env),
    recordTtlMs: checkIntegerInRange('redis.recordTtlMs', options.recordTtlMs ?? redisDefaults.recordTtlMs, 0, 3_650 * dayMs),
    sweepChunkSize: checkIntegerInRange('redis.sweepChunkSize', options.sweepChunkSize ?? redisDefaults.sweepChunkSize, 1, 100_000),
  };
}
