import type { Redis } from 'ioredis';
import { StoreError, TrackStatuses, isFailureCategory, silentLogger, systemClock } from '../../core/index.ts';
import type {
  Clock,
  FailureCategory,
  FailureEntry,
  FailureQuery,
  FailureTracker,
  Logger,
  TrackEntry,
  StatusCounts,
  TrackStatus,
  TrackedRecord,
} from '../../core/index.ts';
import { closeRedis, connectRedis, storeError } from './connect.ts';
import { trackerKeys } from './keys.ts';
import type { TrackerKeys } from './keys.ts';
import { resolveTrackerOptions } from './options.ts';
import type { Env, RedisTrackerOptions, ResolvedTrackerOptions } from './options.ts';
import { defineTrackerScripts } from './scripts.ts';
import type { TrackerScripts } from './scripts.ts';

export interface RedisTrackerDeps {
  /** Stamps createdAt/updatedAt and decides what a sweep finds stale. Default: the system clock. */
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Where REDIS_URL is read from. Default: process.env. */
  readonly env?: Env;
}

const fields = [
  'dedupKey',
  'topic',
  'partition',
  'offset',
  'status',
  'attempts',
  'category',
  'errorMessage',
  'payload',
  'createdAt',
  'updatedAt',
] as const;

type Raw = (Buffer | null)[];

/** Bounds one script's argument list (10 per entry); larger batches become several scripts sent together. */
const ENTRIES_PER_SCRIPT = 2_000;

const text = (value: Buffer | null | undefined): string | null => (value ? value.toString('utf8') : null);
const bytes = (payload: Uint8Array): Buffer => Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);

function parse(raw: Raw | null | undefined): TrackedRecord | undefined {
  if (!raw || raw[4] === null || raw[4] === undefined) return undefined;
  const [dedupKey, topic, partition, offset, status, attempts, category, errorMessage, payload, createdAt, updatedAt] = raw;
  return {
    dedupKey: text(dedupKey) ?? '',
    topic: text(topic) ?? '',
    partition: Number(text(partition)),
    offset: BigInt(text(offset) ?? '0'),
    status: text(status) as TrackStatus,
    attempts: Number(text(attempts)),
    category: text(category) as FailureCategory | null,
    errorMessage: text(errorMessage),
    payload: payload ? new Uint8Array(payload) : null,
    createdAt: Number(text(createdAt)),
    updatedAt: Number(text(updatedAt)),
  };
}

/**
 * The failure tracker on Redis: one hash per record plus sorted-set indexes per status and failure category, every
 * transition a Lua script (atomic, one round trip per batch). Layout and behaviour: docs/stores/redis.md.
 */
export class RedisTracker implements FailureTracker {
  readonly #client: Redis & TrackerScripts;
  readonly #options: ResolvedTrackerOptions;
  readonly #keys: TrackerKeys;
  readonly #clock: Clock;

  private constructor(client: Redis, options: ResolvedTrackerOptions, clock: Clock) {
    this.#client = defineTrackerScripts(client);
    this.#options = options;
    this.#keys = trackerKeys(options.keyPrefix);
    this.#clock = clock;
  }

  /**
   * Connects (explicit options, then REDIS_URL, then defaults); rejects with a StoreError when Redis cannot be reached.
   * @deprecated Use `createRedisTracker({ ...options, ...deps })`, named like the other stores' constructors.
   */
  static async connect(options: RedisTrackerOptions = {}, deps: RedisTrackerDeps = {}): Promise<RedisTracker> {
    const resolved = resolveTrackerOptions(options, deps.env);
    const client = await connectRedis(resolved, deps.logger ?? silentLogger);
    return new RedisTracker(client, resolved, deps.clock ?? systemClock);
  }

  /** The resolved settings, e.g. for logs (the URL may hold a password: pass it through redactUrl). */
  get options(): ResolvedTrackerOptions {
    return this.#options;
  }

  async received(entries: readonly TrackEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#run('received', entries, (n, args) => this.#client.orchestronTrackReceived(n, ...args));
  }

  async succeeded(entries: readonly TrackEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#run('succeeded', entries, (n, args) => this.#client.orchestronTrackSucceeded(n, ...args));
  }

  failed(entries: readonly FailureEntry[]): Promise<void> {
    return this.#failure('failed', entries, (n, args) => this.#client.orchestronTrackFailed(n, ...args));
  }

  retrying(entries: readonly FailureEntry[]): Promise<void> {
    return this.#failure('retrying', entries, (n, args) => this.#client.orchestronTrackRetrying(n, ...args));
  }

  async #failure(operation: 'failed' | 'retrying', entries: readonly FailureEntry[], script: (n: number, args: (string | Buffer | number)[]) => Promise<number>): Promise<void> {
    if (entries.length === 0) return;
    const unknown = entries.find((entry) => !isFailureCategory(entry.category));
    if (unknown) {
      throw new StoreError(`redis ${operation}: unknown failure category ${JSON.stringify(unknown.category)}`, { retryable: false });
    }
    await this.#run(operation, entries, script);
  }

  async sweep(olderThanMs: number): Promise<number> {
    const now = this.#clock.now();
    const { sweepChunkSize } = this.#options;
    const message = `still RECEIVED after ${olderThanMs} ms (safeguard sweep)`;
    let total = 0;
    for (;;) {
      const [swept, examined] = await this.#call('sweep', () =>
        this.#client.orchestronTrackSweep(
          this.#keys.indexes.length,
          ...this.#keys.indexes,
          ...this.#head(now),
          String(now - olderThanMs),
          this.#keys.recordPrefix,
          sweepChunkSize,
          message,
        ),
      );
      total += swept;
      if (examined < sweepChunkSize) return total;
    }
  }

  async get(dedupKeys: readonly string[]): Promise<(TrackedRecord | undefined)[]> {
    if (dedupKeys.length === 0) return [];
    const results = await this.#call('get', () => {
      const pipeline = this.#client.pipeline();
      for (const key of dedupKeys) pipeline.hmgetBuffer(this.#keys.recordPrefix + key, ...fields);
      return pipeline.exec();
    });
    return dedupKeys.map((_, i) => {
      const [error, raw] = results?.[i] ?? [new Error('no reply')];
      if (error) throw storeError('get', this.#options.url, error);
      return parse(raw as Raw);
    });
  }

  async countByStatus(): Promise<StatusCounts> {
    const results = await this.#call('countByStatus', () => {
      const transaction = this.#client.multi();
      for (const status of TrackStatuses) transaction.zcard(this.#keys.status[status]);
      return transaction.exec();
    });
    const counts = {} as StatusCounts;
    TrackStatuses.forEach((status, i) => {
      const [error, count] = results?.[i] ?? [new Error('transaction discarded')];
      if (error) throw storeError('countByStatus', this.#options.url, error);
      if (status !== 'RETRYING' || Number(count) > 0) counts[status] = Number(count);
    });
    return counts;
  }

  async failures(query: FailureQuery = {}): Promise<TrackedRecord[]> {
    const index = query.category ? this.#keys.failedBy[query.category] : this.#keys.status.FAILED;
    if (!index) return [];
    const max = query.until === undefined ? '+inf' : `(${query.until}`;
    const min = query.since === undefined ? '-inf' : String(query.since);
    const limit = query.limit === undefined ? undefined : Math.max(0, Math.floor(query.limit));
    if (limit === 0) return [];
    const members = await this.#call('failures', () =>
      limit === undefined
        ? this.#client.zrevrangebyscore(index, max, min)
        : this.#client.zrevrangebyscore(index, max, min, 'LIMIT', 0, limit),
    );
    // A row can change between the two round trips; keep only what still matches.
    const rows = await this.get(members);
    return rows.filter(
      (row): row is TrackedRecord =>
        row !== undefined &&
        row.status === 'FAILED' &&
        (query.category === undefined || row.category === query.category),
    );
  }

  async ping(): Promise<void> {
    await this.#call('ping', () => this.#client.ping());
  }

  async close(): Promise<void> {
    await closeRedis(this.#client);
  }

  /** ARGV[1..3] of every script: now, the record TTL, and the score below which index entries have expired. */
  #head(now: number): string[] {
    const ttl = this.#options.recordTtlMs;
    return [String(now), String(ttl), String(now - ttl)];
  }

  /** One script call per chunk of entries; the chunks go out back to back on the connection, so a batch costs one round trip. */
  async #run(
    operation: string,
    entries: readonly (TrackEntry | FailureEntry)[],
    script: (numKeys: number, args: (string | Buffer)[]) => Promise<unknown>,
  ): Promise<void> {
    const { indexes, recordPrefix } = this.#keys;
    const head = this.#head(this.#clock.now());
    const calls: Promise<unknown>[] = [];
    for (let start = 0; start < entries.length; start += ENTRIES_PER_SCRIPT) {
      const keys: string[] = [...indexes];
      const args: (string | Buffer)[] = [...head];
      for (const entry of entries.slice(start, start + ENTRIES_PER_SCRIPT)) {
        const failure = entry as Partial<FailureEntry>;
        keys.push(recordPrefix + entry.dedupKey);
        args.push(
          entry.dedupKey,
          entry.topic,
          String(entry.partition),
          entry.offset.toString(),
          String(entry.attempts),
          entry.payload ? '1' : '0',
          entry.payload ? bytes(entry.payload) : '',
          failure.category ?? '',
          failure.errorMessage ?? '',
        );
      }
      calls.push(this.#call(operation, () => script(keys.length, [...keys, ...args])));
    }
    await Promise.all(calls);
  }

  async #call<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw storeError(operation, this.#options.url, error);
    }
  }
}

/** Connects (explicit options, then REDIS_URL, then defaults); rejects with a StoreError when Redis cannot be reached. */
export function createRedisTracker(options: RedisTrackerOptions & RedisTrackerDeps = {}): Promise<RedisTracker> {
  const { clock, logger, env, ...rest } = options;
  return RedisTracker.connect(rest, { clock, logger, env });
}
