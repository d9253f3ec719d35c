import type { Redis } from 'ioredis';
import { ConfigError, shownValue, silentLogger } from '../../core/index.ts';
import type { DedupStore, Logger } from '../../core/index.ts';
import { closeRedis, connectRedis, storeError } from './connect.ts';
import { dedupKeyPrefix } from './keys.ts';
import { resolveRedisOptions } from './options.ts';
import type { Env, RedisStoreOptions, ResolvedRedisOptions } from './options.ts';
import { defineDedupScripts } from './scripts.ts';
import type { DedupScripts } from './scripts.ts';

export interface RedisDedupDeps {
  readonly logger?: Logger;
  /** Where REDIS_URL is read from. Default: process.env. */
  readonly env?: Env;
}

/** Bounds one MGET or script call; larger batches become several commands sent together. */
const KEYS_PER_CALL = 10_000;
/** '1': the remember script's answer for a key it created. */
const newKey = 0x31;

/**
 * The dedup store on Redis: `<prefix>:dedup:<key>` = `1` with a TTL per key. `seen` is one MGET; `remember` is one
 * script running SET NX PX per key (measured faster than a pipeline of SETs: docs/stores/redis.md). Expiry is the
 * server's, so it holds across every instance sharing the server.
 */
export class RedisDedupStore implements DedupStore {
  readonly #client: Redis & DedupScripts;
  readonly #options: ResolvedRedisOptions;
  readonly #prefix: string;

  private constructor(client: Redis, options: ResolvedRedisOptions) {
    this.#client = defineDedupScripts(client);
    this.#options = options;
    this.#prefix = dedupKeyPrefix(options.keyPrefix);
  }

  /**
   * Connects (explicit options, then REDIS_URL, then defaults); rejects with a StoreError when Redis cannot be reached.
   * @deprecated Use `createRedisDedupStore({ ...options, ...deps })`, named like the other stores' constructors.
   */
  static async connect(options: RedisStoreOptions = {}, deps: RedisDedupDeps = {}): Promise<RedisDedupStore> {
    const resolved = resolveRedisOptions(options, deps.env);
    return new RedisDedupStore(await connectRedis(resolved, deps.logger ?? silentLogger), resolved);
  }

  get options(): ResolvedRedisOptions {
    return this.#options;
  }

  async seen(keys: readonly string[]): Promise<boolean[]> {
    // As buffers: only whether a value is there matters, and they decode faster than strings.
    const replies = await this.#chunked('seen', keys, (chunk) => this.#client.mgetBuffer(chunk));
    const seen: boolean[] = [];
    for (const values of replies) for (const value of values) seen.push(value !== null);
    return seen;
  }

  async remember(keys: readonly string[], ttlMs: number): Promise<boolean[]> {
    if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new ConfigError('ttlMs', `must be a positive number of milliseconds; got ${shownValue(ttlMs)}`);
    }
    const ttl = String(Math.ceil(ttlMs));
    const replies = await this.#chunked('remember', keys, (chunk) =>
      this.#client.orchestronDedupRemember(chunk.length, ...chunk, ttl),
    );
    const created: boolean[] = [];
    for (const flags of replies) for (let i = 0; i < flags.length; i++) created.push(flags.charCodeAt(i) === newKey);
    return created;
  }

  async ping(): Promise<void> {
    try {
      await this.#client.ping();
    } catch (error) {
      throw storeError('ping', this.#options.url, error);
    }
  }

  async close(): Promise<void> {
    await closeRedis(this.#client);
  }

  /** One call per KEYS_PER_CALL keys (prefixed), all sent at once; the replies in order. */
  async #chunked<T>(operation: string, keys: readonly string[], call: (chunk: string[]) => Promise<T>): Promise<T[]> {
    if (keys.length === 0) return [];
    const calls: Promise<T>[] = [];
    for (let start = 0; start < keys.length; start += KEYS_PER_CALL) {
      calls.push(call(keys.slice(start, start + KEYS_PER_CALL).map((key) => this.#prefix + key)));
    }
    try {
      return await Promise.all(calls);
    } catch (error) {
      throw storeError(operation, this.#options.url, error);
    }
  }
}

/** Connects (explicit options, then REDIS_URL, then defaults); rejects with a StoreError when Redis cannot be reached. */
export function createRedisDedupStore(options: RedisStoreOptions & RedisDedupDeps = {}): Promise<RedisDedupStore> {
  const { logger, env, ...rest } = options;
  return RedisDedupStore.connect(rest, { logger, env });
}
