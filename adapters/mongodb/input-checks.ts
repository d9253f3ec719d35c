import { kindOf, shownValue } from '../../core/checks.ts';
import { ConfigError } from '../../core/errors.ts';
import type { TrackEntry } from '../../core/tracker/tracker.ts';

// Keys reach the server only as BSON string values, never as parsed query text; this keeps a stray object out too.
export function checkKeys(keys: readonly string[]): void {
  for (const key of keys) {
    if (typeof key !== 'string') throw new ConfigError('dedupKey', `must be a string; got ${kindOf(key)}`);
  }
}

const minInt64 = -(2n ** 63n);
const maxInt64 = 2n ** 63n - 1n;

/** The entries' keys are strings and their offsets fit BSON's int64, which would silently wrap a larger bigint (2n ** 64n is stored as 0). */
export function checkEntries(entries: readonly TrackEntry[]): void {
  for (const entry of entries) {
    checkKeys([entry.dedupKey]);
    if (typeof entry.offset !== 'bigint') throw new ConfigError('offset', `must be a bigint; got ${kindOf(entry.offset)}`);
    if (entry.offset < minInt64 || entry.offset > maxInt64) {
      throw new ConfigError(
        'offset',
        `must be a signed 64-bit integer, from ${minInt64} to ${maxInt64}; got ${shownValue(entry.offset)} for ${shownValue(entry.dedupKey)}`,
      );
    }
  }
}
