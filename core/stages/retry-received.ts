import type { Envelope } from '../envelope.ts';
import { originalDedupKey } from '../retry-topics/origin.ts';
import { retriesSoFar } from '../retry-topics/route.ts';
import type { BatchStage } from '../stage.ts';
import { batchStage } from '../stage.ts';

/**
 * The first stage of a retry consumer (see docs/retries.md), before the tracker's `received`: each record read from a
 * retry topic takes back its original dedup key, so that every hop updates the same tracker row, and counts the
 * deliveries of the earlier hops in `attempts` (the first retry of a record delivered once is its second attempt).
 */
export function retryReceived<T>(): BatchStage<T, T> {
  const restored = (record: Envelope<T>): Envelope<T> => {
    const retries = retriesSoFar(record);
    if (retries === 0) return record;
    return { ...record, dedupKey: originalDedupKey(record), attempts: record.attempts + retries };
  };
  return batchStage((batch) => batch.next(batch.records.map(restored)));
}
