import { describe, expect, it } from 'vitest';
import type { BatchControl, Logger } from '../../core/index.ts';
import { ManualClock } from '../../core/testing/manual-clock.ts';
import type { KafkaMessage } from './records.ts';
import type { ProducerHolder } from './producer-holder.ts';
import { BatchTransactions } from './transactions.ts';
import { MultipleErrors, ProtocolError, UserError } from '@platformatic/kafka';

const never = () => new Promise<never>(() => {});

/** A producer whose transactions answer every call except those named in `hanging`, which never answer. */
function producer(hanging: readonly string[]) {
  const calls: string[] = [];
  const call = (name: string) => () => {
    calls.push(name);
    return hanging.includes(name) ? never() : Promise.resolve();
  };
  const transaction = {
    completed: false,
    addConsumer: call('addConsumer'),
    addOffset: call('addOffset'),
    commit: call('commit'),
    abort: call('abort'),
    cancel: call('cancel'),
    send: call('send'),
  };
  return { calls, producer: { beginTransaction: async () => transaction, transaction } };
}

/** A producer holder that counts renewals and hands out `next` producers in turn. */
function holder(first: unknown, ...next: unknown[]) {
  let current = first;
  const renewals: string[] = [];
  return Object.assign(
    {
      get current() {
        return current;
      },
      remember: () => {},
      renew: async (reason: string) => {
        renewals.push(reason);
        current = next.shift() ?? current;
      },
    },
    { renewals },
  ) as never as ProducerHolder & { renewals: string[] };
}

const control = () => ({ attachments: new Map<symbol, unknown>() }) as unknown as BatchControl;
const warnings: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (_fields, message) => void warnings.push(message), error() {} };

describe('BatchTransactions', () => {
  it('fails a transactional call that is never answered, with a retryable error, after the timeout', async () => {
    const clock = new ManualClock();
    const { producer: p } = producer(['commit']);
    const transactions = new BatchTransactions(holder(p), logger, clock, { callTimeoutMs: 30_000, consumer: {} as never });
    const committing = transactions.commit(control(), [{ topic: 't', partition: 0, offset: 1n } as KafkaMessage]);
    committing.catch(() => {});
    await clock.advance(29_999);
    let settled = false;
    void committing.then(() => (settled = true), () => (settled = true));
    await clock.advance(0);
    expect(settled).toBe(false);
    await clock.advance(1);
    await expect(committing).rejects.toMatchObject({ code: 'SINK_ERROR', retryable: true, message: expect.stringContaining('kafka did not answer commit transaction within 30000 ms') });
  });

  it('gives up on an abort that is never answered: warns and clears the client state', async () => {
    const clock = new ManualClock();
    const { producer: p, calls } = producer(['abort']);
    const transactions = new BatchTransactions(holder(p), logger, clock, { callTimeoutMs: 30_000, consumer: {} as never });
    const batch = control();
    await transactions.of(batch);
    warnings.length = 0;
    await clock.run(transactions.abort(batch));
    expect(calls).toEqual(['abort', 'cancel']);
    expect(warnings).toEqual(['transaction abort failed; the coordinator will time it out']);
  });

  it('recreates the producer after a failed send, before the next transaction begins', async () => {
    const clock = new ManualClock();
    const broken = producer([]);
    broken.producer.transaction.send = () => Promise.reject(new MultipleErrors('Producing messages failed.', [new ProtocolError('INVALID_RECORD')]));
    const fresh = producer([]);
    const producers = holder(broken.producer, fresh.producer);
    const transactions = new BatchTransactions(producers, logger, clock, { callTimeoutMs: 30_000, consumer: {} as never });
    const first = control();
    await expect(transactions.send(first, [{ topic: 't', value: Buffer.from('x') }])).rejects.toMatchObject({ name: 'RecordRefusedError', retryable: false });
    expect(producers.renewals).toEqual([]);
    await transactions.abort(first);
    expect(producers.renewals).toEqual([expect.stringContaining('INVALID_RECORD')]);
    await transactions.send(control(), [{ topic: 't', value: Buffer.from('y') }]);
    expect(fresh.calls).toEqual(['send']);
  });

  it('recreates a producer whose commit found it broken, and not one whose commit failed for a passing reason', async () => {
    const clock = new ManualClock();
    const outOfOrder = producer([]);
    outOfOrder.producer.transaction.commit = () => Promise.reject(new MultipleErrors('Ending transaction failed.', [new ProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER')]));
    const producers = holder(outOfOrder.producer, producer([]).producer);
    const transactions = new BatchTransactions(producers, logger, clock, { callTimeoutMs: 30_000, consumer: {} as never });
    const batch = control();
    const last = [{ topic: 't', partition: 0, offset: 1n } as KafkaMessage];
    await expect(transactions.commit(batch, last)).rejects.toMatchObject({ code: 'SINK_ERROR', retryable: true });
    await transactions.abort(batch);
    expect(producers.renewals).toEqual(['OUT_OF_ORDER_SEQUENCE_NUMBER']);

    const busy = producer([]);
    busy.producer.transaction.commit = () => Promise.reject(new MultipleErrors('Ending transaction failed.', [new ProtocolError('COORDINATOR_LOAD_IN_PROGRESS')]));
    const steady = holder(busy.producer);
    const again = new BatchTransactions(steady, logger, clock, { callTimeoutMs: 30_000, consumer: {} as never });
    const other = control();
    await expect(again.commit(other, last)).rejects.toMatchObject({ retryable: true });
    await again.abort(other);
    expect(steady.renewals).toEqual([]);
  });

  it('recreates the producer when the client still holds a transaction it cannot begin past', async () => {
    const clock = new ManualClock();
    const stuck = producer([]);
    const begin = () => Promise.reject(new UserError('There is already an active transaction.'));
    const producers = holder({ ...stuck.producer, beginTransaction: begin }, producer([]).producer);
    const transactions = new BatchTransactions(producers, logger, clock, { callTimeoutMs: 30_000, consumer: {} as never });
    await expect(transactions.of(control())).rejects.toMatchObject({ retryable: true });
    await transactions.of(control());
    expect(producers.renewals).toEqual(['There is already an active transaction.']);
  });

  it('rethrows fencing from an abort, unless the producer is to be recreated anyway (its claim decides then)', async () => {
    const clock = new ManualClock();
    const fenced = () => Promise.reject(new MultipleErrors('Ending transaction failed.', [new ProtocolError('PRODUCER_FENCED')]));
    const plain = producer([]);
    plain.producer.transaction.abort = fenced;
    const transactions = new BatchTransactions(holder(plain.producer), logger, clock, { callTimeoutMs: 30_000, consumer: {} as never });
    const batch = control();
    await transactions.of(batch);
    await expect(transactions.abort(batch)).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });

    const timedOut = producer([]);
    timedOut.producer.transaction.abort = fenced;
    timedOut.producer.transaction.send = () => Promise.reject(new MultipleErrors('Producing messages failed.', [new ProtocolError('INVALID_PRODUCER_EPOCH')]));
    const producers = holder(timedOut.producer, producer([]).producer);
    const renewing = new BatchTransactions(producers, logger, clock, { callTimeoutMs: 30_000, consumer: {} as never });
    const slow = control();
    await expect(renewing.send(slow, [{ topic: 't', value: Buffer.from('x') }])).rejects.toMatchObject({ retryable: true });
    await renewing.abort(slow);
    expect(producers.renewals).toEqual(['INVALID_PRODUCER_EPOCH']);
  });

  it('spans the batches of one interval: commits once the interval passed and every batch is done, with the newest offsets', async () => {
    const clock = new ManualClock();
    const { producer: p, calls } = producer([]);
    const offsets: string[] = [];
    Object.assign(p.transaction, { addOffset: (m: KafkaMessage) => (offsets.push(`${m.partition}:${m.offset}`), Promise.resolve()) });
    let begun = 0;
    const counting = { ...p, beginTransaction: () => (begun++, p.beginTransaction()) };
    const transactions = new BatchTransactions(holder(counting), logger, clock, { callTimeoutMs: 30_000, intervalMs: 100, consumer: {} as never });
    const [a, b, c] = [control(), control(), control()];
    await transactions.send(a, [{ topic: 't', value: Buffer.from('a') }]);
    await transactions.send(b, [{ topic: 't', value: Buffer.from('b') }]);
    const committed: string[] = [];
    const ready = [
      transactions.commit(a, [{ topic: 't', partition: 0, offset: 5n } as KafkaMessage]).then(() => committed.push('a')),
      transactions.commit(b, [{ topic: 't', partition: 0, offset: 9n } as KafkaMessage, { topic: 't', partition: 1, offset: 3n } as KafkaMessage]).then(() => committed.push('b')),
    ];
    // c joined within the interval and is not done: the transaction waits for it past the interval.
    await transactions.send(c, [{ topic: 't', value: Buffer.from('c') }]);
    await clock.advance(150);
    expect(calls).not.toContain('commit');
    ready.push(transactions.commit(c, []).then(() => committed.push('c')));
    await Promise.all(ready);
    expect(begun).toBe(1);
    expect(calls.filter((call) => call === 'commit')).toHaveLength(1);
    expect(offsets.sort()).toEqual(['0:9', '1:3']);
    expect(committed.sort()).toEqual(['a', 'b', 'c']);
  });

  it('aborts every batch of the transaction when one of them fails, telling the others why', async () => {
    const clock = new ManualClock();
    const { producer: p, calls } = producer([]);
    const transactions = new BatchTransactions(holder(p), logger, clock, { callTimeoutMs: 30_000, intervalMs: 100, consumer: {} as never });
    const [done, failing, late] = [control(), control(), control()];
    await transactions.send(done, [{ topic: 't', value: Buffer.from('a') }]);
    const waiting = transactions.commit(done, [{ topic: 't', partition: 0, offset: 1n } as KafkaMessage]);
    waiting.catch(() => {});
    await transactions.send(failing, [{ topic: 't', value: Buffer.from('b') }]);
    await transactions.send(late, [{ topic: 't', value: Buffer.from('c') }]);
    await transactions.abort(failing, new Error('record 7 failed'));
    await expect(waiting).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('another batch in the same transaction failed (record 7 failed)') });
    await expect(transactions.send(late, [{ topic: 't', value: Buffer.from('d') }])).rejects.toMatchObject({ retryable: true });
    await transactions.abort(done);
    await transactions.abort(late);
    expect(calls.filter((call) => call === 'abort')).toHaveLength(1);
    expect(calls).not.toContain('commit');
  });
});
