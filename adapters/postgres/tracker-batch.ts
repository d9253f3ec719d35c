import type { FailureEntry, TrackEntry } from '../../core/index.ts';
import { integerArray, textArray } from './arrays.ts';
import type { PostgresClient } from './connect.ts';
import { byKey } from './sql.ts';

// bytea[]: a built-in type with a fixed OID, so it is known before postgres.js has fetched the server's types.
const byteaArrayOid = 1001;

/** The values, or just the first when they are all the same (see trackerStatements). */
function shared<T>(values: T[]): T[] {
  const first = values[0];
  return values.every((value) => value === first) ? values.slice(0, 1) : values;
}

/** The batch as the array parameters the statements unnest ($1–$6), in one pass over it. */
export function columns(sql: PostgresClient, entries: readonly TrackEntry[]) {
  const count = entries.length;
  const keys = new Array<string>(count);
  const topics = new Array<string>(count);
  const partitions = new Array<number>(count);
  const offsets = new Array<bigint>(count);
  const attempts = new Array<number>(count);
  let payloads = false;
  for (let i = 0; i < count; i++) {
    const entry = entries[i] as TrackEntry;
    keys[i] = entry.dedupKey;
    topics[i] = entry.topic;
    partitions[i] = entry.partition;
    offsets[i] = entry.offset;
    attempts[i] = entry.attempts;
    if (entry.payload) payloads = true;
  }
  return [
    textArray(keys),
    textArray(shared(topics)),
    integerArray(shared(partitions)),
    integerArray(offsets),
    integerArray(shared(attempts)),
    // Typed explicitly: postgres.js would otherwise take a first Uint8Array for a single bytea.
    payloads ? sql.array(entries.map((e) => e.payload ?? null), byteaArrayOid) : null,
  ];
}

/** A failed batch's categories and messages ($8, $9). */
export function failureColumns(entries: readonly FailureEntry[]): string[] {
  return [textArray(shared(entries.map((e) => e.category))), textArray(shared(entries.map((e) => e.errorMessage)))];
}

/**
 * One entry per key, in key order. An upsert may not touch a row twice in one statement, so repeats are merged the
 * way applying them one after the other would: the last wins, attempts only grow, a payload is kept once given.
 */
export function merged<T extends TrackEntry>(entries: readonly T[]): T[] {
  // The sort is stable: a key's repeats end up side by side, in the order they were given.
  const sorted = byKey(entries, (e) => e.dedupKey);
  if (sorted.every((entry, i) => i === 0 || entry.dedupKey !== (sorted[i - 1] as T).dedupKey)) return sorted;
  const once: T[] = [];
  for (const entry of sorted) {
    const earlier = once[once.length - 1];
    if (earlier?.dedupKey === entry.dedupKey) {
      once[once.length - 1] = { ...entry, attempts: Math.max(earlier.attempts, entry.attempts), payload: entry.payload ?? earlier.payload };
    } else {
      once.push(entry);
    }
  }
  return once;
}
