import { MongoClient } from 'mongodb';
import { checkBoolean, checkIntegerInRange, kindOf, shownValue } from '../../core/checks.ts';
import { ConfigError } from '../../core/errors.ts';
import { checkIdentifier, redactUrl } from '../../core/identifiers.ts';
import type { Logger } from '../../core/logger.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Clock, Env } from '../../core/platform.ts';
import { systemClock } from '../../core/platform.ts';
import { mongoDefaults } from './defaults.ts';

export { mongoDefaults };

/** How to reach MongoDB. Each field: explicit value, else the environment (MONGO_URL), else the default. */
export interface MongoConnectionOptions {
  /** `mongodb://` or `mongodb+srv://` URL; env MONGO_URL; default `mongodb://127.0.0.1:27017/orchestron`. */
  readonly url?: string;
  /** Database name; default: the URL's path, else `orchestron`. */
  readonly database?: string;
  /** How long an operation waits for a reachable server before failing (driver `serverSelectionTimeoutMS`). Default 2000. */
  readonly serverSelectionTimeoutMs?: number;
  /** TCP connect and handshake timeout (driver `connectTimeoutMS`). Default 2000. */
  readonly connectTimeoutMs?: number;
  /** How long a socket may sit without a reply before the operation fails (driver `socketTimeoutMS`). Default 30000. */
  readonly socketTimeoutMs?: number;
  /** Connections per server (driver `maxPoolSize`). Default 20. */
  readonly maxPoolSize?: number;
  /** A connected client to share between stores: used as is, and left open by `close()`. `url` and timeouts are then ignored. */
  readonly client?: MongoClient;
  /** Create (or reconcile) the collection's indexes at start. Default true. */
  readonly ensureIndexes?: boolean;
  /** Told when the server lacks TTL indexes (FerretDB 1.x). Default: silent. */
  readonly logger?: Logger;
}

export interface MongoTrackerOptions extends MongoConnectionOptions {
  /** Collection name, checked with `checkIdentifier`. Default `orchestron_tracker`. */
  readonly collection?: string;
  /** Delete documents this long after their last update (TTL index on `updatedAt`). Default: kept forever. */
  readonly retentionMs?: number;
  /** Stamps `createdAt`/`updatedAt` and measures sweep ages. Default: the system clock. */
  readonly clock?: Clock;
}

export interface MongoDedupOptions extends MongoConnectionOptions {
  /** Collection name, checked with `checkIdentifier`. Default `orchestron_dedup`. */
  readonly collection?: string;
  /** Computes `expiresAt` and decides what has expired. Default: the system clock. */
  readonly clock?: Clock;
}

export interface ResolvedConnection {
  readonly url: string;
  /** The URL with its password redacted: the only form that goes into messages. */
  readonly target: string;
  readonly database: string;
  readonly serverSelectionTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly socketTimeoutMs: number;
  readonly maxPoolSize: number;
  readonly client: MongoClient | undefined;
  readonly ensureIndexes: boolean;
  readonly logger: Logger;
}

export interface ResolvedTrackerOptions extends ResolvedConnection {
  readonly collection: string;
  readonly retentionMs: number | undefined;
  readonly clock: Clock;
}

export interface ResolvedDedupOptions extends ResolvedConnection {
  readonly collection: string;
  readonly clock: Clock;
}

/** The environment MONGO_URL is read from. */
export type Environment = Env;


// The longest delay a JavaScript timer honours (a longer one fires at once); the driver's timeouts are timers.
const maxTimerMs = 2_147_483_647;
const maxPoolSize = 1_000;
const maxRetentionMs = 3_650 * 86_400_000;

// MongoDB's own rule for database names (no / \ . space " $ * < > : | ? or NUL), at most 63 bytes.
const databaseName = /^[^/\\. "$*<>:|?\0]{1,63}$/;

export function resolveConnection(options: MongoConnectionOptions = {}, env: Environment = process.env): ResolvedConnection {
  const url = options.url ?? nonEmpty(env.MONGO_URL) ?? mongoDefaults.url;
  if (typeof url !== 'string' || !/^mongodb(\+srv)?:\/\/[^/?]+/.test(url)) {
    throw new ConfigError('url', `must be a mongodb:// or mongodb+srv:// URL with a host; got ${typeof url === 'string' ? shownValue(redactUrl(url)) : kindOf(url)}`);
  }
  const database = options.database ?? databaseOf(url) ?? mongoDefaults.database;
  if (typeof database !== 'string' || !databaseName.test(database)) {
    throw new ConfigError('database', `must be 1 to 63 characters without / \\ . space " $ * < > : | ?; got ${shownValue(database)}`);
  }
  if (options.client !== undefined && !(options.client instanceof MongoClient)) {
    throw new ConfigError('client', 'must be a MongoClient from the mongodb package');
  }
  if (options.ensureIndexes !== undefined) checkBoolean('ensureIndexes', options.ensureIndexes);
  return {
    url,
    target: redactUrl(url),
    database,
    serverSelectionTimeoutMs: checkIntegerInRange('serverSelectionTimeoutMs', options.serverSelectionTimeoutMs ?? mongoDefaults.serverSelectionTimeoutMs, 1, maxTimerMs),
    connectTimeoutMs: checkIntegerInRange('connectTimeoutMs', options.connectTimeoutMs ?? mongoDefaults.connectTimeoutMs, 1, maxTimerMs),
    socketTimeoutMs: checkIntegerInRange('socketTimeoutMs', options.socketTimeoutMs ?? mongoDefaults.socketTimeoutMs, 1, maxTimerMs),
    maxPoolSize: checkIntegerInRange('maxPoolSize', options.maxPoolSize ?? mongoDefaults.maxPoolSize, 1, maxPoolSize),
    client: options.client,
    ensureIndexes: options.ensureIndexes ?? true,
    logger: options.logger ?? silentLogger,
  };
}

export function resolveTrackerOptions(options: MongoTrackerOptions = {}, env: Environment = process.env): ResolvedTrackerOptions {
  return {
    ...resolveConnection(options, env),
    collection: checkIdentifier('collection', options.collection ?? mongoDefaults.trackerCollection),
    retentionMs: options.retentionMs === undefined ? undefined : checkIntegerInRange('retentionMs', options.retentionMs, 1_000, maxRetentionMs),
    clock: clockOf(options.clock),
  };
}

export function resolveDedupOptions(options: MongoDedupOptions = {}, env: Environment = process.env): ResolvedDedupOptions {
  return {
    ...resolveConnection(options, env),
    collection: checkIdentifier('collection', options.collection ?? mongoDefaults.dedupCollection),
    clock: clockOf(options.clock),
  };
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** The database in a connection string's path (`mongodb://host/db?...`), if any. */
function databaseOf(url: string): string | undefined {
  const path = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(url)?.[1];
  if (!path) return undefined;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function clockOf(clock: Clock | undefined): Clock {
  if (clock === undefined) return systemClock;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw new ConfigError('clock', 'must be a core Clock (an object with now(), monotonic(), setTimer(), clearTimer())');
  }
  return clock;
}
