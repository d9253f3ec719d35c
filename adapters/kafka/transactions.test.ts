import { describe, expect, it } from 'vitest';
import type { BatchControl, Logger } from '../../core/index.ts';
import { ManualClock } from '../../core/testing/manual-clock.ts';
import type { KafkaMessage } from './records.ts';
import { BatchTransactions } from './transactions.ts';

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

const control = () => ({ attachments: new Map<symbol, unknown>() }) as unknown as BatchControl;
const warnings: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (_fields, message) => void warnings.push(message), error() {} };

describe('BatchTransactions', () => {
  it('fails a transactional call that is never answered, with a retryable error, after the timeout', async () => {
    const clock = new ManualClock();
    const { producer: p } = producer(['commit']);
    const transactions = new BatchTransactions(p as never, logger, clock, 30_000);
    const committing = transactions.commit(control(), {} as never, [{ topic: 't', partition: 0, offset: 1n } as KafkaMessage]);
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
    const transactions = new BatchTransactions(p as never, logger, clock, 30_000);
    const batch = control();
    await transactions.of(batch);
    warnings.length = 0;
    await clock.run(transactions.abort(batch));
    expect(calls).toEqual(['abort', 'cancel']);
    expect(warnings).toEqual(['transaction abort failed; the coordinator will time it out']);
  });
});
