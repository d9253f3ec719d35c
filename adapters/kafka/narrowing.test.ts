import { describe, expect, it } from 'vitest';
import { RecordRefusedError, SinkError } from '../../core/index.ts';
import type { Logger } from '../../core/index.ts';
import { Narrowing } from './narrowing.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const refused = new RecordRefusedError('produce 1 records in a transaction: the broker refused a record (INVALID_RECORD)');

/**
 * Runs the source's loop over `size` records in one partition, where `poison` are refused whenever they are in a
 * batch: each batch is the next `limit` records from the committed offset; a batch with a poison record aborts (each
 * of its records delivered once more) unless it is that record alone and delivered `maxDeliveries` times, when it is
 * dead-lettered and the batch commits (as the produce stage does).
 */
function isolate(size: number, poison: readonly number[], maxDeliveries: number, batchSize = size) {
  const narrowing = new Narrowing(batchSize, quiet);
  const deliveries = new Array<number>(size).fill(0);
  const committed: number[] = [];
  const deadLettered: number[] = [];
  let next = 0;
  let aborts = 0;
  while (next < size) {
    const batch = Array.from({ length: Math.min(narrowing.limit, size - next) }, (_, i) => next + i);
    for (const offset of batch) deliveries[offset] = (deliveries[offset] ?? 0) + 1;
    const bad = batch.filter((offset) => poison.includes(offset));
    const alone = batch.length === 1 && bad.length === 1 && (deliveries[batch[0] as number] ?? 0) >= maxDeliveries;
    if (bad.length > 0 && !alone) {
      narrowing.aborted(batch.length, refused);
      aborts++;
      if (aborts > 10_000) throw new Error('no progress');
      continue;
    }
    if (alone) deadLettered.push(batch[0] as number);
    else committed.push(...batch);
    narrowing.committed();
    next += batch.length;
  }
  return { committed, deadLettered, aborts, deliveries, narrowing };
}

describe('Narrowing', () => {
  it('isolates each refused record, dead-letters it after maxDeliveries, and commits every other record once', () => {
    const poison = [17, 150, 151, 299];
    const { committed, deadLettered, aborts, deliveries } = isolate(300, poison, 5);
    expect(deadLettered).toEqual(poison);
    expect(committed).toEqual(Array.from({ length: 300 }, (_, i) => i).filter((i) => !poison.includes(i)));
    for (const offset of poison) expect(deliveries[offset]).toBeGreaterThanOrEqual(5);
    // Bisecting: a few aborts per refused record, far fewer than a record-by-record pass over the batch.
    expect(aborts).toBeLessThan(60);
  });

  it('retries an isolated record alone until it has been delivered maxDeliveries times', () => {
    const { deadLettered, deliveries } = isolate(4, [1], 8);
    expect(deadLettered).toEqual([1]);
    expect(deliveries[1]).toBe(8);
    expect(deliveries[0]).toBeLessThan(8);
  });

  it('halves on each refusal, not below one, and doubles back to the batch size on commits', () => {
    const narrowing = new Narrowing(1000, quiet);
    narrowing.aborted(1000, refused);
    expect(narrowing.limit).toBe(500);
    narrowing.aborted(300, refused);
    expect(narrowing.limit).toBe(150);
    for (let i = 0; i < 10; i++) narrowing.aborted(1, refused);
    expect(narrowing.limit).toBe(1);
    const limits: number[] = [];
    while (narrowing.narrowed) {
      narrowing.committed();
      limits.push(narrowing.limit);
    }
    expect(limits).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 1000]);
  });

  it('leaves the size alone on aborts that are not a refused record', () => {
    const narrowing = new Narrowing(1000, quiet);
    narrowing.aborted(1000, new SinkError('broker away', { retryable: true }));
    narrowing.aborted(1000, new SinkError('TOPIC_AUTHORIZATION_FAILED', { retryable: false }));
    expect(narrowing.limit).toBe(1000);
  });
});
