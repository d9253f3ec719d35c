export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export interface RateLimitOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Most tokens a bucket holds: requests allowed at once. */
  readonly burst: number;
}

/**
 * A token bucket per key, like the seed's `rate_limit` / `rate_limit_burst`: each key may send `burst` requests at
 * once and `ratePerSecond` on average. `now` is monotonic milliseconds, injected so tests can drive time.
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: RateLimitOptions, now: () => number = () => performance.now()) {
    this.#rate = options.ratePerSecond / 1000;
    this.#burst = options.burst;
    this.#now = now;
  }

  take(key: string): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#rate);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.#rate) };
  }
}
