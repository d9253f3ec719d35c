import type { DeadLetterEntry } from './dead-letter-entry.ts';

/** A selection of dead letters, as the pages' filter form and the replay form carry it. */
export interface DeadLetterFilter {
  readonly category?: string;
  readonly topic?: string;
  readonly code?: string;
  /** Failed at or after / before, epoch ms. */
  readonly since?: number;
  readonly until?: number;
}

export const filterFields = ['category', 'topic', 'code', 'since', 'until'] as const;

const word = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 256) : undefined);

/** `2026-01-02T03:04`, an ISO time or epoch ms; anything else is no bound. A time without a zone is UTC. */
function time(value: unknown): number | undefined {
  const text = word(value);
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const parsed = Date.parse(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text) ? `${text}Z` : text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** The filter in a query string or a form; unknown fields are ignored. */
export function parseFilter(fields: Readonly<Record<string, unknown>>): DeadLetterFilter {
  const filter: { -readonly [K in keyof DeadLetterFilter]: DeadLetterFilter[K] } = {};
  const category = word(fields.category);
  const topic = word(fields.topic);
  const code = word(fields.code);
  const since = time(fields.since);
  const until = time(fields.until);
  if (category) filter.category = category;
  if (topic) filter.topic = topic;
  if (code) filter.code = code;
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = until;
  return filter;
}

export function matches(entry: DeadLetterEntry, filter: DeadLetterFilter): boolean {
  return (
    (filter.category === undefined || entry.category === filter.category) &&
    (filter.topic === undefined || entry.sourceTopic === filter.topic) &&
    (filter.code === undefined || entry.code === filter.code) &&
    (filter.since === undefined || entry.failedAt >= filter.since) &&
    (filter.until === undefined || entry.failedAt < filter.until)
  );
}

/** The filter as a query string (`?category=…`), with `change` applied; times as ISO. */
export function filterQuery(filter: DeadLetterFilter, change: Partial<Record<keyof DeadLetterFilter, string | number | undefined>> = {}): string {
  const merged: Record<string, string | number | undefined> = { ...filter, ...change };
  const params = new URLSearchParams();
  for (const field of filterFields) {
    const value = merged[field];
    if (value === undefined || value === '') continue;
    params.set(field, typeof value === 'number' ? new Date(value).toISOString() : value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** How many entries have each value of `field`, most first. */
export function countBy(entries: readonly DeadLetterEntry[], field: 'category' | 'sourceTopic' | 'code'): [string, number][] {
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry[field], (counts.get(entry[field]) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

export interface Histogram {
  readonly from: number;
  readonly binMs: number;
  readonly counts: readonly number[];
}

/** Failures over time in `bins` equal bins from the first to the last failure (a bin of a minute at least). */
export function histogram(entries: readonly DeadLetterEntry[], bins = 40): Histogram | undefined {
  if (entries.length === 0) return undefined;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const { failedAt } of entries) {
    first = Math.min(first, failedAt);
    last = Math.max(last, failedAt);
  }
  const binMs = Math.max(60_000, Math.ceil((last - first + 1) / bins));
  const from = Math.floor(first / binMs) * binMs;
  const counts = new Array<number>(Math.floor((last - from) / binMs) + 1).fill(0);
  for (const { failedAt } of entries) counts[Math.floor((failedAt - from) / binMs)]!++;
  return { from, binMs, counts };
}
