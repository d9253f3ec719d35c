import type { Collection } from 'mongodb';
import { ConfigError, StoreError } from '../../core/errors.ts';
import { shownValue } from '../../core/checks.ts';
import type { DedupStore } from '../../core/dedup/store.ts';
import type { Clock } from '../../core/platform.ts';
import { closeConnection, connectMongo } from './connect.ts';
import type { MongoConnection } from './connect.ts';
import { duplicateKeyIndexes, toStoreError } from './errors.ts';
import { ensureDedupIndexes } from './indexes.ts';
import { checkKeys } from './input-checks.ts';
import type { Expiry } from './indexes.ts';
import type { MongoDedupOptions } from './options.ts';
import { resolveDedupOptions } from './options.ts';

/** One remembered key. `_id` is the key itself, so the unique `_id` index arbitrates concurrent claims. */
export interface DedupDocument {
  _id: string;
  expiresAt: Date;
  /** Set when an expired key is claimed again, to tell which caller's update won. */
  claim?: string;
}

/** What `createMongoDedupStore` hands the store. */
export interface MongoDedupInit {
  readonly connection: MongoConnection;
  readonly collection: string;
  readonly clock: Clock;
  readonly expiry: Expiry;
}

/**
 * The dedup store in a MongoDB collection (tested on FerretDB 1.x). `seen` is one find per batch that ignores expired
 * documents; `remember` is one unordered insertMany in the common case (all keys new), plus a conditional re-claim of
 * keys whose document expired but is still there.
 */
export class MongoDedupStore implements DedupStore {
  /** How expired keys are removed; see `Expiry`. */
  readonly expiry: Expiry;
  readonly #connection: MongoConnection;
  readonly #collection: Collection<DedupDocument>;
  readonly #clock: Clock;
  #closed = false;

  /** Prefer `createMongoDedupStore`, which connects, checks the server and prepares the indexes. */
  constructor(init: MongoDedupInit) {
    this.#connection = init.connection;
    this.#collection = init.connection.db.collection<DedupDocument>(init.collection);
    this.#clock = init.clock;
    this.expiry = init.expiry;
  }

  get collectionName(): string {
    return this.#collection.collectionName;
  }

  async seen(keys: readonly string[]): Promise<boolean[]> {
    if (keys.length === 0) return [];
    checkKeys(keys);
    const unique = [...new Set(keys)];
    const now = new Date(this.#clock.now());
    const live = await this.#run('seen', async () => {
      const documents = await this.#collection
        .find({ _id: { $in: unique }, expiresAt: { $gt: now } }, { projection: { _id: 1 }, limit: unique.length, batchSize: unique.length })
        .toArray();
      return new Set(documents.map((doc) => doc._id));
    });
    return keys.map((key) => live.has(key));
  }

  async remember(keys: readonly string[], ttlMs: number): Promise<boolean[]> {
    if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new ConfigError('ttlMs', `must be a positive number of milliseconds; got ${shownValue(ttlMs)}`);
    }
    if (keys.length === 0) return [];
    checkKeys(keys);
    const now = this.#clock.now();
    const claimed = await this.#run('remember', () => this.#claim([...new Set(keys)], now, new Date(now + ttlMs)));
    const answered = new Set<string>();
    return keys.map((key) => {
      if (answered.has(key)) return false;
      answered.add(key);
      return claimed.has(key);
    });
  }

  /** Deletes expired keys and returns how many; for servers without TTL indexes (FerretDB 1.x). */
  async purgeExpired(): Promise<number> {
    const now = new Date(this.#clock.now());
    const result = await this.#run('purgeExpired', () => this.#collection.deleteMany({ expiresAt: { $lte: now } }));
    return result.deletedCount;
  }

  async ping(): Promise<void> {
    await this.#run('ping', () => this.#connection.db.command({ ping: 1 }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeConnection(this.#connection);
  }

  /** Claims each key and returns those claimed: new keys by insert, keys whose document expired by a conditional update. */
  async #claim(keys: string[], now: number, expiresAt: Date): Promise<Set<string>> {
    const present = await this.#insertNew(keys, expiresAt);
    const claimed = new Set(keys.filter((key) => !present.has(key)));
    if (present.size === 0) return claimed;

    const contested = [...present];
    const claim = crypto.randomUUID();
    await this.#collection.updateMany({ _id: { $in: contested }, expiresAt: { $lte: new Date(now) } }, { $set: { expiresAt, claim } });
    const documents = await this.#collection
      .find({ _id: { $in: contested } }, { projection: { _id: 1, claim: 1 }, limit: contested.length, batchSize: contested.length })
      .toArray();
    const claims = new Map(documents.map((doc) => [doc._id, doc.claim]));
    const vanished: string[] = [];
    for (const key of contested) {
      if (!claims.has(key)) vanished.push(key);
      else if (claims.get(key) === claim) claimed.add(key);
    }
    // Deleted (TTL monitor or purgeExpired) between the insert and the update: the key is free again.
    if (vanished.length > 0) {
      const taken = await this.#insertNew(vanished, expiresAt);
      for (const key of vanished) if (!taken.has(key)) claimed.add(key);
    }
    return claimed;
  }

  /** Inserts the keys not there yet; returns those already present (expired or not). */
  async #insertNew(keys: string[], expiresAt: Date): Promise<Set<string>> {
    try {
      await this.#collection.insertMany(
        keys.map((key) => ({ _id: key, expiresAt })),
        { ordered: false },
      );
      return new Set();
    } catch (error) {
      const indexes = duplicateKeyIndexes(error);
      if (!indexes) throw error;
      return new Set([...indexes].map((index) => keys[index] as string));
    }
  }

  async #run<T>(operation: string, body: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw new StoreError(`MongoDB dedup store ${this.collectionName}: ${operation} after close()`, { retryable: false });
    }
    try {
      return await body();
    } catch (error) {
      throw toStoreError(`MongoDB dedup ${operation} on ${this.collectionName}`, this.#connection.target, error);
    }
  }
}

/** Connects (failing fast with a StoreError naming the redacted URL), checks the server answers, prepares the indexes. */
export async function createMongoDedupStore(options: MongoDedupOptions = {}): Promise<MongoDedupStore> {
  const resolved = resolveDedupOptions(options);
  const connection = await connectMongo(resolved);
  try {
    const expiry = resolved.ensureIndexes
      ? await ensureDedupIndexes(connection.db, connection.db.collection(resolved.collection), resolved.logger)
      : 'manual';
    return new MongoDedupStore({ connection, collection: resolved.collection, clock: resolved.clock, expiry });
  } catch (error) {
    await closeConnection(connection).catch(() => {});
    throw toStoreError(`preparing the indexes of MongoDB dedup store ${resolved.collection}`, connection.target, error);
  }
}
