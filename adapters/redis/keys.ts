import { FailureCategories, TrackStatuses } from '../../core/index.ts';
import type { FailureCategory, TrackStatus } from '../../core/index.ts';

/**
 * The tracker's keys under one prefix (see docs/stores/redis.md):
 * `<prefix>:rec:<dedupKey>` one hash per record; `<prefix>:status:<STATUS>` a sorted set per status and
 * `<prefix>:failed:<CATEGORY>` one per failure category, members dedupKeys scored by updatedAt.
 */
export interface TrackerKeys {
  readonly recordPrefix: string;
  readonly status: Readonly<Record<TrackStatus, string>>;
  readonly failedBy: Readonly<Record<FailureCategory, string>>;
  /** Every index, in the order the scripts expect them as KEYS[1..7]: the statuses, then the categories. */
  readonly indexes: readonly string[];
}

export function trackerKeys(prefix: string): TrackerKeys {
  const status = Object.fromEntries(TrackStatuses.map((s) => [s, `${prefix}:status:${s}`])) as Record<TrackStatus, string>;
  const failedBy = Object.fromEntries(FailureCategories.map((c) => [c, `${prefix}:failed:${c}`])) as Record<FailureCategory, string>;
  return {
    recordPrefix: `${prefix}:rec:`,
    status,
    failedBy,
    indexes: [...TrackStatuses.map((s) => status[s]), ...FailureCategories.map((c) => failedBy[c])],
  };
}

/** The dedup store's key for one dedup key: a plain string `1` with a TTL. */
export const dedupKeyPrefix = (prefix: string): string => `${prefix}:dedup:`;
