/** Remembers which dedup keys were processed. Implementations: memory (core), Redis, Postgres, MongoDB (adapters). */
export interface DedupStore {
  /** For each key, whether it was processed and has not expired. One round trip for the whole batch. */
  seen(keys: readonly string[]): Promise<boolean[]>;
  /** Records keys as processed for `ttlMs`; for each key, whether it was new (false: it was already there). */
  remember(keys: readonly string[], ttlMs: number): Promise<boolean[]>;
  /** A cheap round trip, for readiness checks; rejects when the store cannot be reached. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}
