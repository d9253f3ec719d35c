import type { FailureCategory } from '../errors.ts';

/**
 * How much the failure tracker writes, as in the seeds:
 * OUTBOX pre-inserts RECEIVED rows for a whole batch in one call, then updates SUCCESS/FAILED in bulk;
 * RELIABLE inserts RECEIVED per record, then the same updates; LIGHTWEIGHT writes failures only; NONE writes nothing.
 */
export const TrackerStrategies = ['OUTBOX', 'RELIABLE', 'LIGHTWEIGHT', 'NONE'] as const;
export type TrackerStrategy = (typeof TrackerStrategies)[number];

/** RETRYING: the record waits in a retry topic (see docs/retries.md); SUCCESS and FAILED are final. */
export const TrackStatuses = ['RECEIVED', 'SUCCESS', 'FAILED', 'RETRYING'] as const;
export type TrackStatus = (typeof TrackStatuses)[number];

/** Rows per status; `RETRYING` is there only when some rows have it (a pipeline with retry topics). */
export type StatusCounts = Record<Exclude<TrackStatus, 'RETRYING'>, number> & { RETRYING?: number };

/** What the tracker is told about one record. */
export interface TrackEntry {
  readonly dedupKey: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly attempts: number;
  /** The record's bytes, when payload capture is on. */
  readonly payload?: Uint8Array | null;
}

export interface FailureEntry extends TrackEntry {
  readonly category: FailureCategory;
  readonly errorMessage: string;
}

/** A row (or document, or hash) as stored. Times are epoch milliseconds. */
export interface TrackedRecord {
  readonly dedupKey: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly status: TrackStatus;
  readonly attempts: number;
  readonly category: FailureCategory | null;
  readonly errorMessage: string | null;
  readonly payload: Uint8Array | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface FailureQuery {
  /** Updated at or after (epoch ms). */
  readonly since?: number;
  /** Updated before (epoch ms). */
  readonly until?: number;
  readonly category?: FailureCategory;
  readonly limit?: number;
}

/**
 * Durable record status. Transitions are idempotent so redelivery after a restart is harmless:
 * `received` inserts RECEIVED and leaves existing rows alone (duplicate keys are swallowed);
 * `succeeded` sets SUCCESS from any status; `failed` sets FAILED unless the row is already SUCCESS; `retrying` sets
 * RETRYING (the record was sent to a retry topic) unless the row is already SUCCESS. All three create the row if it is
 * missing, and attempts only grow. Implementations: memory (core), Postgres, MongoDB, Redis (adapters).
 */
export interface FailureTracker {
  received(entries: readonly TrackEntry[]): Promise<void>;
  succeeded(entries: readonly TrackEntry[]): Promise<void>;
  failed(entries: readonly FailureEntry[]): Promise<void>;
  /** Records sent to a retry topic: their rows wait there, with the failure that sent them, and are not swept. */
  retrying(entries: readonly FailureEntry[]): Promise<void>;
  /** The safeguard: RECEIVED rows not updated for `olderThanMs` become FAILED with TIMEOUT_ERROR. Returns how many. */
  sweep(olderThanMs: number): Promise<number>;
  get(dedupKeys: readonly string[]): Promise<(TrackedRecord | undefined)[]>;
  countByStatus(): Promise<StatusCounts>;
  /** FAILED rows, newest first. */
  failures(query?: FailureQuery): Promise<TrackedRecord[]>;
  /** A cheap round trip, for readiness checks; rejects when the store cannot be reached. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}
