import type { Collection, Db } from 'mongodb';
import { ErrorCodes } from '../../core/errors.ts';
import { duplicateKeyIndexes } from './errors.ts';
import type { TrackerDocument } from './tracker-document.ts';

/**
 * Marks one row as counted by a sweep; written only on FerretDB, into the tracker's own collection. The `_id` is an
 * object, so it never collides with a row's string `_id`, and it names one life of the row (dedupKey and createdAt).
 * `updatedAt` is the sweep's time, never later than the row's own, so retention removes the claim no later than the row.
 */
export interface SweepClaim {
  _id: { sweptKey: string; createdAt: Date };
  updatedAt: Date;
}

/** Where a sweep writes: the rows, and on FerretDB the same collection seen as claims. */
export interface SweepTarget {
  readonly rows: Collection<TrackerDocument>;
  readonly claims: Collection<SweepClaim> | undefined;
}

export function sweepTarget(db: Db, collection: string, ferretdb: boolean): SweepTarget {
  return {
    rows: db.collection<TrackerDocument>(collection),
    claims: ferretdb ? db.collection<SweepClaim>(collection) : undefined,
  };
}

/**
 * Turns RECEIVED rows last updated at or before `threshold` into FAILED with TIMEOUT_ERROR; returns how many rows this
 * call swept, so that the counts of sweeps racing on several instances add up to the rows swept.
 *
 * MongoDB re-checks an update's filter on each document it writes, so `modifiedCount` is exact. FerretDB 1.x reads
 * the matches, then writes each one blindly, so racing sweeps all count the same rows. There the rows that carry this
 * sweep's values afterwards are read back, and each is claimed by inserting its SweepClaim: the unique `_id` lets one
 * caller in, and a row counts only for that caller. The last sweep to write a row always reads back its own values,
 * so every swept row is claimed by somebody.
 */
export async function sweepStale(target: SweepTarget, threshold: Date, now: Date, message: string): Promise<number> {
  const timeout = { status: 'FAILED', category: ErrorCodes.TIMEOUT_ERROR, errorMessage: message, updatedAt: now } as const;
  const result = await target.rows.updateMany({ status: 'RECEIVED', updatedAt: { $lte: threshold } }, { $set: timeout });
  if (target.claims === undefined || result.modifiedCount === 0) return result.modifiedCount;
  const swept = await target.rows.find(timeout, { projection: { _id: 1, createdAt: 1 } }).toArray();
  if (swept.length === 0) return 0;
  const claims = swept.map((row) => ({ _id: { sweptKey: row._id, createdAt: row.createdAt }, updatedAt: now }));
  try {
    await target.claims.insertMany(claims, { ordered: false });
    return claims.length;
  } catch (error) {
    const taken = duplicateKeyIndexes(error);
    if (!taken) throw error;
    return claims.length - taken.size;
  }
}

/** Deletes the claims (FerretDB) of sweeps at or before `threshold`: a claim only matters while sweeps racing its own can run. */
export async function purgeSweepClaims(target: SweepTarget, threshold: Date): Promise<void> {
  await target.claims?.deleteMany({ _id: { $type: 'object' }, updatedAt: { $lte: threshold } });
}
