import { messageOf } from '../../core/index.ts';
import type { FailureTracker, TrackedRecord } from '../../core/index.ts';
import type { DeadLetterEntry } from './dead-letter-entry.ts';
import { trackerKey } from './dead-letter-entry.ts';

const deadlineMs = 2_000;

/** The tracker rows of the records the dead letters came from (by dedup key), or why there are none. */
export async function trackerRows(
  tracker: FailureTracker | undefined,
  entries: readonly DeadLetterEntry[],
): Promise<{ rows: (TrackedRecord | undefined)[]; note?: string }> {
  if (!tracker) return { rows: entries.map(() => undefined), note: 'No failure tracker configured (trackerStrategy NONE).' };
  const keys = entries.map(trackerKey);
  const known = keys.filter((k): k is string => k !== undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const found = await Promise.race([
      known.length ? tracker.get(known) : Promise.resolve([]),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs))),
    ]);
    const byKey = new Map(known.map((key, i) => [key, found[i]]));
    return { rows: keys.map((key) => (key === undefined ? undefined : byKey.get(key))) };
  } catch (error) {
    return { rows: entries.map(() => undefined), note: `The failure tracker did not answer: ${messageOf(error)}` };
  } finally {
    clearTimeout(timer);
  }
}
