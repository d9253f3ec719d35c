import { MongoClient, MongoParseError } from 'mongodb';
import type { Db } from 'mongodb';
import { ConfigError, StoreError, messageOf } from '../../core/errors.ts';
import type { ResolvedConnection } from './options.ts';

/** A verified connection: the database handle plus who owns the client. */
export interface MongoConnection {
  readonly client: MongoClient;
  readonly db: Db;
  /** The URL with its password redacted, for messages. */
  readonly target: string;
  /** False when the caller passed its own client: `close()` then leaves it open. */
  readonly owned: boolean;
  /** The FerretDB version when the server is FerretDB (its `buildInfo` says so), else undefined. */
  readonly ferretdb: string | undefined;
  /** Most update statements sent in one command; bulk updates are split into commands of this size. */
  readonly maxUpdatesPerCommand: number;
}

/**
 * FerretDB 1.x keeps every statement's SQLite cursor of an `update` command open until the command ends, and its
 * SQLite pool holds 100 connections for the whole server: one command of ~100 statements (or a few large ones at
 * once) waits forever for a connection, and the server stops answering everyone. Small commands stay far below that.
 */
export const ferretdbMaxUpdatesPerCommand = 8;
// MongoDB's own limit (maxWriteBatchSize); the driver splits larger batches itself.
const mongodbMaxUpdatesPerCommand = 100_000;

/**
 * Opens a client (or takes the one given) and proves the server answers with a `ping`. A server that cannot be reached
 * within the timeouts gives a StoreError naming the redacted URL; the password never appears in the error.
 */
export async function connectMongo(options: ResolvedConnection): Promise<MongoConnection> {
  const owned = options.client === undefined;
  let client: MongoClient;
  try {
    client =
      options.client ??
      new MongoClient(options.url, {
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMs,
        connectTimeoutMS: options.connectTimeoutMs,
        socketTimeoutMS: options.socketTimeoutMs,
        maxPoolSize: options.maxPoolSize,
        appName: 'orchestron',
      });
  } catch (error) {
    const reason = scrub(messageOf(error), options.url);
    if (error instanceof MongoParseError || error instanceof TypeError) {
      throw new ConfigError('url', `is not a usable MongoDB connection string (${reason}); got ${options.target}`);
    }
    throw new StoreError(`cannot create a MongoDB client for ${options.target}: ${reason}`, { retryable: false });
  }
  try {
    if (owned) await client.connect();
    await client.db(options.database).command({ ping: 1 });
  } catch (error) {
    if (owned) await client.close().catch(() => {});
    throw new StoreError(`cannot reach MongoDB at ${options.target}: ${scrub(messageOf(error), options.url)}`, {
      cause: carriesPassword(error, options.url) ? undefined : error,
    });
  }
  const ferretdb = await ferretdbVersion(client);
  return {
    client,
    db: client.db(options.database),
    target: options.target,
    owned,
    ferretdb,
    maxUpdatesPerCommand: ferretdb === undefined ? mongodbMaxUpdatesPerCommand : ferretdbMaxUpdatesPerCommand,
  };
}

async function ferretdbVersion(client: MongoClient): Promise<string | undefined> {
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return typeof info.ferretdbVersion === 'string' ? info.ferretdbVersion : undefined;
  } catch {
    return undefined; // buildInfo refused: treat as MongoDB
  }
}

export async function closeConnection(connection: MongoConnection): Promise<void> {
  if (connection.owned) await connection.client.close();
}

function passwordOf(url: string): string | undefined {
  const userInfo = /^[a-z+]+:\/\/([^@/?]*)@/i.exec(url)?.[1];
  const raw = userInfo?.includes(':') ? userInfo.slice(userInfo.indexOf(':') + 1) : undefined;
  return raw === undefined || raw === '' ? undefined : raw;
}

/** The text with the URL's password (as written and decoded) replaced by ***. */
function scrub(text: string, url: string): string {
  const raw = passwordOf(url);
  if (raw === undefined) return text;
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // keep the raw form only
  }
  return text.split(raw).join('***').split(decoded).join('***');
}

// Driver errors do not quote the password today; if one ever does, the cause is dropped rather than leaked.
function carriesPassword(error: unknown, url: string): boolean {
  const password = passwordOf(url);
  if (password === undefined) return false;
  let chain: unknown = error;
  for (let depth = 0; chain instanceof Error && depth < 8; depth++, chain = chain.cause) {
    if (scrub(`${chain.message}\n${chain.stack ?? ''}`, url) !== `${chain.message}\n${chain.stack ?? ''}`) return true;
  }
  return false;
}
