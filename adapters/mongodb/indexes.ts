import { MongoServerError } from 'mongodb';
import type { Collection, Db, Document } from 'mongodb';
import type { Logger } from '../../core/logger.ts';

/**
 * How expired documents leave the collection: the server's TTL index deletes them (MongoDB), or nothing does until
 * `purgeExpired()` is called (FerretDB 1.x rejects TTL indexes), or they are kept (`off`). Reads ignore expired
 * documents either way.
 */
export type Expiry = 'ttl-index' | 'manual' | 'off';

export const trackerIndexes = {
  statusUpdatedAt: 'status_updatedAt',
  retention: 'updatedAt_ttl',
} as const;

export const dedupIndexes = {
  expiry: 'expiresAt_ttl',
} as const;

const notImplemented = 238;
const indexOptionsConflict = 85;

/** status+updatedAt for sweeps and failure queries, and the optional retention TTL on updatedAt (`_id` is the dedupKey). */
export async function ensureTrackerIndexes(
  db: Db,
  collection: Collection<Document>,
  retentionMs: number | undefined,
  logger: Logger,
): Promise<Expiry> {
  // Never several indexes in one createIndexes command: FerretDB 1.24 drops the connection (a server panic) when
  // they all exist already, i.e. on every start after the first.
  await collection.createIndex({ status: 1, updatedAt: -1 }, { name: trackerIndexes.statusUpdatedAt });
  if (retentionMs === undefined) {
    // Retention turned off: a TTL index left from an earlier configuration would keep deleting rows.
    const existing = await collection.listIndexes().toArray();
    if (existing.some((index) => index.name === trackerIndexes.retention)) await collection.dropIndex(trackerIndexes.retention);
    return 'off';
  }
  return ttlIndex(db, collection, 'updatedAt', Math.ceil(retentionMs / 1_000), trackerIndexes.retention, logger);
}

/** `_id` is the key (unique by nature); the TTL index on expiresAt deletes expired keys where the server supports it. */
export async function ensureDedupIndexes(db: Db, collection: Collection<Document>, logger: Logger): Promise<Expiry> {
  return ttlIndex(db, collection, 'expiresAt', 0, dedupIndexes.expiry, logger);
}

async function ttlIndex(
  db: Db,
  collection: Collection<Document>,
  field: 'updatedAt' | 'expiresAt',
  expireAfterSeconds: number,
  name: string,
  logger: Logger,
): Promise<Expiry> {
  try {
    await collection.createIndex({ [field]: 1 }, { name, expireAfterSeconds });
    return 'ttl-index';
  } catch (error) {
    if (codeOf(error) === indexOptionsConflict) {
      await db.command({ collMod: collection.collectionName, index: { name, expireAfterSeconds } });
      return 'ttl-index';
    }
    if (codeOf(error) !== notImplemented) throw error;
  }
  logger.warn(
    { collection: collection.collectionName, field },
    'the server does not support TTL indexes (FerretDB 1.x): expired documents are ignored by reads but stay until purgeExpired() removes them',
  );
  await collection.createIndex({ [field]: 1 }, { name: `${field}_1` });
  return 'manual';
}

const codeOf = (error: unknown): unknown => (error instanceof MongoServerError ? error.code : undefined);
