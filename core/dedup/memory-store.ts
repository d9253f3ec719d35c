import type { Clock } from '../platform.ts';
import { systemClock } from '../platform.ts';
import type { DedupStore } from './store.ts';

export interface MemoryDedupOptions {
  /** Most keys kept; the least recently used go first. */
  readonly maxKeys?: number;
  readonly clock?: Clock;
}

/** A bounded in-process dedup store: LRU eviction plus a TTL per key. Its memory is the only thing it shares. */
export class MemoryDedupStore implements DedupStore {
  readonly #expiries = new Map<string, number>();
  readonly #maxKeys: number;
  readonly #clock: Clock;

  constructor(options: MemoryDedupOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#clock = options.clock ?? systemClock;
  }

  get size(): number {
    return this.#expiries.size;
  }

  async seen(keys: readonly string[]): Promise<boolean[]> {
    const now = this.#clock.monotonic();
    return keys.map((key) => this.#live(key, now));
  }

  async remember(keys: readonly string[], ttlMs: number): Promise<boolean[]> {
    const now = this.#clock.monotonic();
    return keys.map((key) => {
      if (this.#live(key, now)) return false;
      this.#expiries.set(key, now + ttlMs);
      if (this.#expiries.size > this.#maxKeys) this.#evictOldest();
      return true;
    });
  }

  async close(): Promise<void> {
    this.#expiries.clear();
  }

  #live(key: string, now: number): boolean {
    const expiry = this.#expiries.get(key);
    if (expiry === undefined) return false;
    this.#expiries.delete(key);
    if (expiry <= now) return false;
    this.#expiries.set(key, expiry); // re-insert: Map order is recency order
    return true;
  }

  #evictOldest(): void {
    const oldest = this.#expiries.keys().next();
    if (!oldest.done) this.#expiries.delete(oldest.value);
  }
}
