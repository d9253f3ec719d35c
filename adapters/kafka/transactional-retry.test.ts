import { MultipleErrors, NetworkError, ProtocolError, Producer } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { concurrentTransactionsBackoff, concurrentTransactionsDelayMs, isConcurrentTransactions, transactionalRetryDelay } from './transactional-retry.ts';

const refused = () => new MultipleErrors('addPartitionsToTransaction failed', [new ProtocolError('CONCURRENT_TRANSACTIONS')]);
const producer = new Producer({ clientId: 'retry-delay-test', bootstrapBrokers: ['127.0.0.1:1'] });

describe('retries of calls refused with CONCURRENT_TRANSACTIONS', () => {
  it('finds the code anywhere in the client error, and nowhere else', () => {
    expect(isConcurrentTransactions(refused())).toBe(true);
    expect(isConcurrentTransactions(new ProtocolError('CONCURRENT_TRANSACTIONS'))).toBe(true);
    expect(isConcurrentTransactions(new ProtocolError('COORDINATOR_LOAD_IN_PROGRESS'))).toBe(false);
    expect(isConcurrentTransactions(new NetworkError('Connection refused'))).toBe(false);
    expect(isConcurrentTransactions(new Error('CONCURRENT_TRANSACTIONS'))).toBe(false);
  });

  it('waits 5, 10, 20, 40, 80 ms, then 100 ms, until the short delays add up to 1 s', () => {
    const delays: number[] = [];
    for (let attempt = 1; ; attempt++) {
      const delay = concurrentTransactionsDelayMs(attempt);
      if (delay === undefined) break;
      delays.push(delay);
    }
    expect(delays).toEqual([5, 10, 20, 40, 80, 100, 100, 100, 100, 100, 100, 100, 100]);
    expect(delays.reduce((a, b) => a + b)).toBeLessThanOrEqual(concurrentTransactionsBackoff.budgetMs);
    expect(concurrentTransactionsDelayMs(20)).toBeUndefined();
  });

  it('gives the client the short delay for CONCURRENT_TRANSACTIONS and the configured one for every other error', () => {
    const delay = transactionalRetryDelay(750);
    expect([1, 2, 3].map((attempt) => delay(producer, 'addPartitionsToTransaction', attempt, 10, refused()))).toEqual([5, 10, 20]);
    expect(delay(producer, 'initProducerId', 1, 10, new ProtocolError('CONCURRENT_TRANSACTIONS'))).toBe(5);
    // A broker that is down, or a coordinator moving, is not asked again sooner.
    expect(delay(producer, 'addPartitionsToTransaction', 1, 10, new NetworkError('Connection refused'))).toBe(750);
    expect(delay(producer, 'endTransaction', 1, 10, new ProtocolError('NOT_COORDINATOR'))).toBe(750);
    // Past the short budget a coordinator that stays busy is asked at the configured pace again.
    expect(delay(producer, 'addPartitionsToTransaction', 14, 100, refused())).toBe(750);
  });
});
