import { ErrorCodes } from '../errors.ts';
import type { Clock } from '../platform.ts';
import { systemClock } from '../platform.ts';
import type {
  FailureEntry,
  FailureQuery,
  FailureTracker,
  StatusCounts,
  TrackEntry,
  TrackStatus,
  TrackedRecord,
} from './tracker.ts';

/** The failure tracker in process memory: for the embedded default, tests, and as the contract's reference. */
export class MemoryTracker implements FailureTracker {
  readonly #rows = new Map<string, TrackedRecord>();
  readonly #clock: Clock;

  constructor(options: { readonly clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  async received(entries: readonly TrackEntry[]): Promise<void> {
    const now = this.#clock.now();
    for (const entry of entries) {
      if (!this.#rows.has(entry.dedupKey)) this.#rows.set(entry.dedupKey, this.#row(entry, 'RECEIVED', now));
    }
  }

  async succeeded(entries: readonly TrackEntry[]): Promise<void> {
    const now = this.#clock.now();
    for (const entry of entries) {
      const row = this.#rows.get(entry.dedupKey) ?? this.#row(entry, 'SUCCESS', now);
      this.#rows.set(entry.dedupKey, {
        ...row,
        status: 'SUCCESS',
        attempts: Math.max(row.attempts, entry.attempts),
        category: null,
        errorMessage: null,
        updatedAt: now,
      });
    }
  }

  async failed(entries: readonly FailureEntry[]): Promise<void> {
    this.#unlessSucceeded(entries, 'FAILED');
  }

  async retrying(entries: readonly FailureEntry[]): Promise<void> {
    this.#unlessSucceeded(entries, 'RETRYING');
  }

  #unlessSucceeded(entries: readonly FailureEntry[], status: 'FAILED' | 'RETRYING'): void {
    const now = this.#clock.now();
    for (const entry of entries) {
      const row = this.#rows.get(entry.dedupKey) ?? this.#row(entry, status, now);
      if (row.status === 'SUCCESS') continue;
      this.#rows.set(entry.dedupKey, {
        ...row,
        status,
        attempts: Math.max(row.attempts, entry.attempts),
        category: entry.category,
        errorMessage: entry.errorMessage,
        payload: entry.payload ?? row.payload,
        updatedAt: now,
      });
    }
  }

  async sweep(olderThanMs: number): Promise<number> {
    const now = this.#clock.now();
    let swept = 0;
    for (const [key, row] of this.#rows) {
      if (row.status !== 'RECEIVED' || now - row.updatedAt < olderThanMs) continue;
      this.#rows.set(key, {
        ...row,
        status: 'FAILED',
        category: ErrorCodes.TIMEOUT_ERROR,
        errorMessage: `still RECEIVED after ${olderThanMs} ms (safeguard sweep)`,
        updatedAt: now,
      });
      swept++;
    }
    return swept;
  }

  async get(dedupKeys: readonly string[]): Promise<(TrackedRecord | undefined)[]> {
    return dedupKeys.map((key) => this.#rows.get(key));
  }

  async countByStatus(): Promise<StatusCounts> {
    const counts: StatusCounts = { RECEIVED: 0, SUCCESS: 0, FAILED: 0 };
    for (const row of this.#rows.values()) counts[row.status] = (counts[row.status] ?? 0) + 1;
    return counts;
  }

  async failures(query: FailureQuery = {}): Promise<TrackedRecord[]> {
    const rows = [...this.#rows.values()].filter(
      (row) =>
        row.status === 'FAILED' &&
        (query.since === undefined || row.updatedAt >= query.since) &&
        (query.until === undefined || row.updatedAt < query.until) &&
        (query.category === undefined || row.category === query.category),
    );
    rows.sort((a, b) => b.updatedAt - a.updatedAt);
    return rows.slice(0, query.limit ?? rows.length);
  }

  async close(): Promise<void> {}

  #row(entry: TrackEntry, status: TrackStatus, now: number): TrackedRecord {
    return {
      dedupKey: entry.dedupKey,
      topic: entry.topic,
      partition: entry.partition,
      offset: entry.offset,
      status,
      attempts: entry.attempts,
      category: null,
      errorMessage: null,
      payload: entry.payload ?? null,
      createdAt: now,
      updatedAt: now,
    };
  }
}
