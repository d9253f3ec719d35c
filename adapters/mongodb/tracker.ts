import { Binary } from 'mongodb';
import type { AnyBulkWriteOperation, Collection, Document, Filter } from 'mongodb';
import { ConfigError, FailureCategories, StoreError, isFailureCategory } from '../../core/errors.ts';
import { shownValue } from '../../core/checks.ts';
import type { Clock } from '../../core/platform.ts';
import type {
  FailureEntry,
  FailureQuery,
  FailureTracker,
  TrackEntry,
  StatusCounts,
  TrackStatus,
  TrackedRecord,
} from '../../core/tracker/tracker.ts';
import { closeConnection, connectMongo } from './connect.ts';
import type { MongoConnection } from './connect.ts';
import { duplicateKeyIndexes, toStoreError } from './errors.ts';
import { ensureTrackerIndexes } from './indexes.ts';
import { checkEntries, checkKeys } from './input-checks.ts';
import type { Expiry } from './indexes.ts';
import type { MongoTrackerOptions } from './options.ts';
import { resolveTrackerOptions } from './options.ts';
import { purgeSweepClaims, sweepStale, sweepTarget } from './sweep.ts';
import type { TrackerDocument } from './tracker-document.ts';
import type { SweepTarget } from './sweep.ts';

/** What `createMongoTracker` hands the tracker. */
export interface MongoTrackerInit {
  readonly connection: MongoConnection;
  readonly collection: string;
  readonly clock: Clock;
  readonly retentionMs: number | undefined;
  readonly retention: Expiry;
}

type Update<E> = (entry: E, upsert: boolean) => AnyBulkWriteOperation<TrackerDocument>;

const readOptions = { useBigInt64: true } as const;

/**
 * The failure tracker in a MongoDB collection (tested on FerretDB 1.x): one document per dedupKey. OUTBOX pre-inserts
 * are one unordered insertMany with duplicate keys swallowed; SUCCESS and FAILED are one bulkWrite of upserts each
 * (on FerretDB, one per `ferretdbMaxUpdatesPerCommand` records).
 */
export class MongoTracker implements FailureTracker {
  /** How rows past `retentionMs` are removed; see `Expiry`. */
  readonly retention: Expiry;
  readonly #connection: MongoConnection;
  readonly #collection: Collection<TrackerDocument>;
  readonly #sweepTarget: SweepTarget;
  readonly #clock: Clock;
  readonly #retentionMs: number | undefined;
  #closed = false;
  #sweeps: Promise<unknown> = Promise.resolve();

  /** Prefer `createMongoTracker`, which connects, checks the server and prepares the indexes. */
  constructor(init: MongoTrackerInit) {
    this.#connection = init.connection;
    this.#collection = init.connection.db.collection<TrackerDocument>(init.collection);
    this.#sweepTarget = sweepTarget(init.connection.db, init.collection, init.connection.ferretdb !== undefined);
    this.#clock = init.clock;
    this.#retentionMs = init.retentionMs;
    this.retention = init.retention;
  }

  get collectionName(): string {
    return this.#collection.collectionName;
  }

  async received(entries: readonly TrackEntry[]): Promise<void> {
    if (entries.length === 0) return;
    checkEntries(entries);
    const now = this.#now();
    await this.#run('received', () => this.#insertNew(entries.map((entry) => document(entry, 'RECEIVED', now))));
  }

  async succeeded(entries: readonly TrackEntry[]): Promise<void> {
    if (entries.length === 0) return;
    checkEntries(entries);
    const now = this.#now();
    const update: Update<TrackEntry> = (entry, upsert) => ({
      updateOne: {
        filter: { _id: entry.dedupKey },
        update: {
          $set: { status: 'SUCCESS', category: null, errorMessage: null, updatedAt: now },
          $max: { attempts: entry.attempts },
          $setOnInsert: { topic: entry.topic, partition: entry.partition, offset: entry.offset, payload: binary(entry.payload), createdAt: now },
        },
        upsert,
      },
    });
    await this.#run('succeeded', () => this.#upsert(entries, (entry) => document(entry, 'SUCCESS', now), update));
  }

  failed(entries: readonly FailureEntry[]): Promise<void> {
    return this.#failure('failed', entries);
  }

  retrying(entries: readonly FailureEntry[]): Promise<void> {
    return this.#failure('retrying', entries);
  }

  /** FAILED or RETRYING, unless the row is already SUCCESS. */
  async #failure(operation: 'failed' | 'retrying', entries: readonly FailureEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const status = operation === 'failed' ? 'FAILED' : 'RETRYING';
    checkEntries(entries);
    const now = this.#now();
    // FerretDB 1.x hands only a lone `_id` filter to SQLite (any other filter decodes the whole collection, for every
    // statement) and writes without re-checking the filter, so there the SUCCESS check is one read up front.
    const ferretdb = this.#connection.ferretdb !== undefined;
    const update: Update<FailureEntry> = (entry, upsert) => {
      const payload = binary(entry.payload);
      return {
        updateOne: {
          filter: ferretdb ? { _id: entry.dedupKey } : { _id: entry.dedupKey, status: { $ne: 'SUCCESS' } },
          update: {
            $set: {
              status,
              category: entry.category,
              errorMessage: entry.errorMessage,
              updatedAt: now,
              ...(payload ? { payload } : {}),
            },
            $max: { attempts: entry.attempts },
            $setOnInsert: {
              topic: entry.topic,
              partition: entry.partition,
              offset: entry.offset,
              createdAt: now,
              ...(payload ? {} : { payload: null }),
            },
          },
          upsert,
        },
      };
    };
    const failedDocument = (entry: FailureEntry): TrackerDocument => ({
      ...document(entry, status, now),
      category: entry.category,
      errorMessage: entry.errorMessage,
    });
    await this.#run(operation, async () => {
      const done = ferretdb ? await this.#succeededAmong(entries) : new Set<string>();
      await this.#upsert(done.size === 0 ? entries : entries.filter((entry) => !done.has(entry.dedupKey)), failedDocument, update);
    });
  }

  /**
   * Counts exactly even when instances sweep at once (see sweepStale). Sweeps from one tracker still run one after
   * another: racing each other, they would only repeat the same scans.
   */
  sweep(olderThanMs: number): Promise<number> {
    if (typeof olderThanMs !== 'number' || !Number.isFinite(olderThanMs) || olderThanMs < 0) {
      return Promise.reject(
        new ConfigError('olderThanMs', `must be a number of milliseconds, 0 or more; got ${shownValue(olderThanMs)}`),
      );
    }
    const run = this.#sweeps.then(() => {
      const now = this.#now();
      const threshold = new Date(now.getTime() - olderThanMs);
      const message = `still RECEIVED after ${olderThanMs} ms (safeguard sweep)`;
      return this.#run('sweep', () => sweepStale(this.#sweepTarget, threshold, now, message));
    });
    this.#sweeps = run.catch(() => {});
    return run;
  }

  async get(dedupKeys: readonly string[]): Promise<(TrackedRecord | undefined)[]> {
    if (dedupKeys.length === 0) return [];
    checkKeys(dedupKeys);
    const unique = [...new Set(dedupKeys)];
    const documents = await this.#run('get', () =>
      this.#collection
        .find({ _id: { $in: unique } }, { ...readOptions, limit: unique.length, batchSize: unique.length })
        .toArray(),
    );
    const byKey = new Map(documents.map((doc) => [doc._id, toRecord(doc)]));
    return dedupKeys.map((key) => byKey.get(key));
  }

  async countByStatus(): Promise<StatusCounts> {
    const groups = await this.#run('countByStatus', () =>
      this.#collection.aggregate<{ _id: unknown; count: number }>([{ $group: { _id: '$status', count: { $sum: 1 } } }]).toArray(),
    );
    const counts: StatusCounts = { RECEIVED: 0, SUCCESS: 0, FAILED: 0 };
    for (const group of groups) {
      if (group._id === 'RECEIVED' || group._id === 'SUCCESS' || group._id === 'FAILED' || group._id === 'RETRYING') counts[group._id] = Number(group.count);
    }
    return counts;
  }

  async failures(query: FailureQuery = {}): Promise<TrackedRecord[]> {
    const filter: Filter<TrackerDocument> = { status: 'FAILED' };
    const updatedAt: { $gte?: Date; $lt?: Date } = {};
    if (query.since !== undefined) updatedAt.$gte = new Date(epochMs('since', query.since));
    if (query.until !== undefined) updatedAt.$lt = new Date(epochMs('until', query.until));
    if (updatedAt.$gte || updatedAt.$lt) filter.updatedAt = updatedAt;
    if (query.category !== undefined) {
      if (!isFailureCategory(query.category)) {
        throw new ConfigError('category', `must be one of ${FailureCategories.join(', ')}; got ${shownValue(query.category)}`);
      }
      filter.category = query.category;
    }
    const limit = query.limit;
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0)) {
      throw new ConfigError('limit', `must be a whole number, 0 or more; got ${shownValue(limit)}`);
    }
    if (limit === 0) return [];
    const documents = await this.#run('failures', () =>
      this.#collection.find(filter, { ...readOptions, sort: { updatedAt: -1 }, ...(limit ? { limit } : {}) }).toArray(),
    );
    return documents.map(toRecord);
  }

  /** Deletes rows not updated for `retentionMs` and returns how many; for servers without TTL indexes (FerretDB). 0 when retention is off. */
  async purgeExpired(): Promise<number> {
    const retentionMs = this.#retentionMs;
    if (retentionMs === undefined) return 0;
    const threshold = new Date(this.#clock.now() - retentionMs);
    return this.#run('purgeExpired', async () => {
      const rows = await this.#collection.deleteMany({ _id: { $type: 'string' }, updatedAt: { $lte: threshold } });
      await purgeSweepClaims(this.#sweepTarget, threshold);
      return rows.deletedCount;
    });
  }

  async ping(): Promise<void> {
    await this.#run('ping', () => this.#connection.db.command({ ping: 1 }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeConnection(this.#connection);
  }

  #now(): Date {
    return new Date(this.#clock.now());
  }

  async #run<T>(operation: string, body: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw new StoreError(`MongoDB tracker ${this.collectionName}: ${operation} after close()`, { retryable: false });
    }
    try {
      return await body();
    } catch (error) {
      throw toStoreError(`MongoDB tracker ${operation} on ${this.collectionName}`, this.#connection.target, error);
    }
  }

  async #succeededAmong(entries: readonly TrackEntry[]): Promise<Set<string>> {
    const keys = [...new Set(entries.map((entry) => entry.dedupKey))];
    const documents = await this.#collection
      .find({ _id: { $in: keys }, status: 'SUCCESS' }, { projection: { _id: 1 }, limit: keys.length, batchSize: keys.length })
      .toArray();
    return new Set(documents.map((doc) => doc._id));
  }

  /** Inserts the documents whose dedupKey is new; returns the indexes of those already there. */
  async #insertNew(documents: TrackerDocument[]): Promise<Set<number>> {
    try {
      await this.#collection.insertMany(documents, { ordered: false });
      return new Set();
    } catch (error) {
      const existing = duplicateKeyIndexes(error);
      if (!existing) throw error;
      return existing;
    }
  }

  /**
   * Upserts in one bulkWrite (per `maxUpdatesPerCommand` entries). An upsert can still hit the unique `_id`: failed()'s
   * filter skips SUCCESS rows, so its upsert tries to insert a second one; and a concurrent writer may create the row
   * first. FerretDB 1.x then also stops the command at that error and misreports its index, so that part is redone in
   * a form that cannot conflict: insert the rows that are missing, then update (without upsert) the ones that exist.
   * Every step is idempotent, so operations the first attempt already applied are harmless to repeat.
   */
  async #upsert<E extends TrackEntry>(entries: readonly E[], newDocument: (entry: E) => TrackerDocument, update: Update<E>): Promise<void> {
    for (const part of chunks(entries, this.#connection.maxUpdatesPerCommand)) {
      try {
        await this.#collection.bulkWrite(
          part.map((entry) => update(entry, true)),
          { ordered: false },
        );
        continue;
      } catch (error) {
        if (!duplicateKeyIndexes(error)) throw error;
      }
      const existing = await this.#insertNew(part.map(newDocument));
      for (const rest of chunks([...existing], this.#connection.maxUpdatesPerCommand)) {
        await this.#collection.bulkWrite(
          rest.map((index) => update(part[index] as E, false)),
          { ordered: false },
        );
      }
    }
  }
}

/** Connects (failing fast with a StoreError naming the redacted URL), checks the server answers, prepares the indexes. */
export async function createMongoTracker(options: MongoTrackerOptions = {}): Promise<MongoTracker> {
  const resolved = resolveTrackerOptions(options);
  const connection = await connectMongo(resolved);
  try {
    const collection = connection.db.collection(resolved.collection);
    const retention = resolved.ensureIndexes
      ? await ensureTrackerIndexes(connection.db, collection, resolved.retentionMs, resolved.logger)
      : resolved.retentionMs === undefined
        ? 'off'
        : 'manual';
    return new MongoTracker({ connection, collection: resolved.collection, clock: resolved.clock, retentionMs: resolved.retentionMs, retention });
  } catch (error) {
    await closeConnection(connection).catch(() => {});
    throw toStoreError(`preparing the indexes of MongoDB tracker ${resolved.collection}`, connection.target, error);
  }
}

function document(entry: TrackEntry, status: TrackStatus, now: Date): TrackerDocument {
  return {
    _id: entry.dedupKey,
    topic: entry.topic,
    partition: entry.partition,
    offset: entry.offset,
    status,
    attempts: entry.attempts,
    category: null,
    errorMessage: null,
    payload: binary(entry.payload),
    createdAt: now,
    updatedAt: now,
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}

const binary = (payload: Uint8Array | null | undefined): Binary | null =>
  payload === undefined || payload === null ? null : new Binary(payload);

function toRecord(doc: Document): TrackedRecord {
  const payload = doc.payload;
  return {
    dedupKey: doc._id,
    topic: doc.topic,
    partition: doc.partition,
    offset: typeof doc.offset === 'bigint' ? doc.offset : BigInt(doc.offset),
    status: doc.status,
    attempts: doc.attempts,
    category: doc.category ?? null,
    errorMessage: doc.errorMessage ?? null,
    payload: payload instanceof Binary ? new Uint8Array(payload.value()) : null,
    createdAt: (doc.createdAt as Date).getTime(),
    updatedAt: (doc.updatedAt as Date).getTime(),
  };
}

function epochMs(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(field, `must be epoch milliseconds; got ${shownValue(value)}`);
  }
  return value;
}
