/** The soak's records: ids that carry their input partition and a per-partition sequence, values of about 1 KB. */

/**
 * Header holding the record's id in the run (`<input partition>-<sequence>`): the verifier accounts for output and
 * dead-letter records by it, so a pipeline must carry it from input to output. Pipelines built from Orchestron's
 * stages do (`produce` and `deadLetter` keep the input's headers); custom code that builds its own output records copies it.
 */
export const ID_HEADER = 'x-soak-id';

/** Header holding the time a record was sent (or, open-loop, scheduled): epoch milliseconds with microsecond decimals. */
export const SENT_AT_HEADER = 'x-soak-sent-at';

export const VALUE_BYTES = 1024;

export interface RecordId {
  readonly partition: number;
  readonly seq: number;
}

/** Record `index` of a run goes to partition `index % partitions`, as that partition's `seq`-th record. */
export const recordIdOf = (index: number, partitions: number): RecordId => ({
  partition: index % partitions,
  seq: Math.floor(index / partitions),
});

/** How many of `messages` records land on `partition`. */
export const recordsOnPartition = (messages: number, partitions: number, partition: number): number =>
  Math.max(0, Math.ceil((messages - partition) / partitions));

/** The id as text: the ID_HEADER's value and the default records' key. */
export const keyOf = (id: RecordId): string => `${id.partition}-${id.seq}`;

const keyPattern = /^(\d{1,9})-(\d{1,15})$/;

export function parseKey(key: string | null | undefined): RecordId | undefined {
  const match = key ? keyPattern.exec(key) : null;
  return match ? { partition: Number(match[1]), seq: Number(match[2]) } : undefined;
}

const filler = 'orchestron-soak-'.repeat(Math.ceil(VALUE_BYTES / 16));

/** A JSON order-like value of exactly VALUE_BYTES bytes (ASCII), padded with a note. */
export function valueOf(id: RecordId): string {
  const head = `{"id":"${keyOf(id)}","partition":${id.partition},"seq":${id.seq},"customer":"c-${id.seq % 9973}","amount":${(id.seq % 10_000) / 100},"currency":"EUR","note":"`;
  const tail = '"}';
  return head + filler.slice(0, Math.max(0, VALUE_BYTES - head.length - tail.length)) + tail;
}

/** Epoch milliseconds with sub-millisecond precision, on one clock for the producer and the verifier (same process). */
export const preciseNow = (): number => performance.timeOrigin + performance.now();
