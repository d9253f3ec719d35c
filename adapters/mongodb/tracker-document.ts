import type { Binary } from 'mongodb';
import type { FailureCategory } from '../../core/errors.ts';
import type { TrackStatus } from '../../core/tracker/tracker.ts';

/**
 * One tracked record as stored. `_id` is the dedupKey: unique by nature (no second index), and the one filter FerretDB
 * 1.x hands to SQLite rather than decoding every document. `offset` is a BSON int64 (Long): exact for every Kafka
 * offset, and it sorts numerically.
 */
export interface TrackerDocument {
  _id: string;
  topic: string;
  partition: number;
  offset: bigint;
  status: TrackStatus;
  attempts: number;
  category: FailureCategory | null;
  errorMessage: string | null;
  payload: Binary | null;
  createdAt: Date;
  updatedAt: Date;
}
