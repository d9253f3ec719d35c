import type { Redis } from 'ioredis';
import { StoreError } from '../../core/index.ts';
import { closeRedis, connectRedis, resolveRedisOptions, storeError } from '../../adapters/redis/index.ts';
import type { Side, SideAnswer } from './events.ts';
import type { Decision, JoinState, JoinStateStore, OrdersPage } from './join-state.ts';

/**
 * KEYS[1] the order's hash, KEYS[2] the index of orders. ARGV[1] side, ARGV[2] answer, ARGV[3] order id, ARGV[4] now.
 * Sets the side only when absent, indexes the order, returns the whole hash: one atomic step.
 */
const joinScript = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('HSET', KEYS[1], 'updatedAt', ARGV[4]) end
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[3])
return redis.call('HGETALL', KEYS[1])`;

/** KEYS[1] the order's hash. ARGV[1] decision, ARGV[2] now. Sets the decision only when absent; returns the stored one. */
const decideScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('HSETNX', KEYS[1], 'decision', ARGV[1]) == 1 then redis.call('HSET', KEYS[1], 'updatedAt', ARGV[2]) end
return redis.call('HGET', KEYS[1], 'decision')`;

type Hash = Record<string, string>;

const pairs = (flat: readonly string[]): Hash => {
  const hash: Hash = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
};

const toState = (orderId: number, hash: Hash): JoinState => ({
  orderId,
  ...(hash.payment ? { payment: JSON.parse(hash.payment) as SideAnswer } : {}),
  ...(hash.stock ? { stock: JSON.parse(hash.stock) as SideAnswer } : {}),
  ...(hash.decision ? { decision: JSON.parse(hash.decision) as Decision } : {}),
  updatedAt: Number(hash.updatedAt ?? 0),
});

export interface RedisJoinStateOptions {
  /** Default REDIS_URL, then redis://127.0.0.1:6379. */
  readonly url?: string;
  /** Every key starts with `<keyPrefix>:`. Default `order-saga`. */
  readonly keyPrefix?: string;
}

/** The join state as one hash per order (`<prefix>:order:<id>`) and a sorted set of order ids (`<prefix>:orders`) for paging. */
export class RedisJoinState implements JoinStateStore {
  readonly keyPrefix: string;
  readonly #redis: Redis;
  readonly #url: string;

  private constructor(redis: Redis, keyPrefix: string, url: string) {
    this.#redis = redis;
    this.keyPrefix = keyPrefix;
    this.#url = url;
  }

  static async open(options: RedisJoinStateOptions = {}): Promise<RedisJoinState> {
    const resolved = resolveRedisOptions({ ...(options.url ? { url: options.url } : {}), keyPrefix: options.keyPrefix ?? 'order-saga' });
    return new RedisJoinState(await connectRedis(resolved), resolved.keyPrefix, resolved.url);
  }

  async join(orderId: number, side: Side, answer: SideAnswer, now: number): Promise<JoinState> {
    const flat = (await this.#run('join', () =>
      this.#redis.eval(joinScript, 2, this.#orderKey(orderId), this.#indexKey(), side, JSON.stringify(answer), String(orderId), String(now)),
    )) as string[];
    return toState(orderId, pairs(flat));
  }

  async decide(orderId: number, decision: Decision): Promise<Decision> {
    const stored = (await this.#run('decide', () =>
      this.#redis.eval(decideScript, 1, this.#orderKey(orderId), JSON.stringify(decision), String(decision.decidedAt)),
    )) as string | null;
    if (!stored) throw new StoreError(`order ${orderId}: decided before either answer was stored`, { retryable: false });
    return JSON.parse(stored) as Decision;
  }

  async get(orderId: number): Promise<JoinState | undefined> {
    const hash = await this.#run('get', () => this.#redis.hgetall(this.#orderKey(orderId)));
    return Object.keys(hash).length === 0 ? undefined : toState(orderId, hash);
  }

  async list(offset: number, limit: number): Promise<OrdersPage> {
    const [total, ids] = await this.#run('list', () =>
      Promise.all([this.#redis.zcard(this.#indexKey()), this.#redis.zrange(this.#indexKey(), String(offset), String(offset + limit - 1))]),
    );
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.#orderKey(Number(id)));
    const replies = (await this.#run('list', () => pipeline.exec())) ?? [];
    const orders: JoinState[] = [];
    replies.forEach(([error, hash], i) => {
      if (error) throw storeError('list', this.#url, error);
      if (hash && Object.keys(hash).length > 0) orders.push(toState(Number(ids[i]), hash as Hash));
    });
    return { total, orders };
  }

  async ping(): Promise<void> {
    await this.#run('ping', () => this.#redis.ping());
  }

  async close(): Promise<void> {
    await closeRedis(this.#redis);
  }

  #orderKey(orderId: number): string {
    return `${this.keyPrefix}:order:${orderId}`;
  }

  #indexKey(): string {
    return `${this.keyPrefix}:orders`;
  }

  async #run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw error instanceof StoreError ? error : storeError(`join state ${operation}`, this.#url, error);
    }
  }
}
