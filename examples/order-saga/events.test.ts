import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/index.ts';
import { resolveOrder } from './events.ts';
import { resolveSagaSettings } from './settings.ts';

const answer = (status: 'ACCEPT' | 'REJECT', source: string) => ({ status, source });

describe('order saga decision (the seed’s OrderManageService.confirm)', () => {
  it.each([
    ['ACCEPT', 'ACCEPT', { status: 'CONFIRMED', source: null }],
    ['REJECT', 'REJECT', { status: 'REJECTED', source: 'INVENTORY' }],
    ['REJECT', 'ACCEPT', { status: 'ROLLBACK', source: 'PAYMENT' }],
    ['ACCEPT', 'REJECT', { status: 'ROLLBACK', source: 'INVENTORY' }],
  ] as const)('payment %s + stock %s → %j', (payment, stock, outcome) => {
    expect(resolveOrder(answer(payment, 'PAYMENT'), answer(stock, 'INVENTORY'))).toEqual(outcome);
  });

  it('names the stock answer’s own source for REJECTED, as the seed does', () => {
    expect(resolveOrder(answer('REJECT', 'PAYMENT'), answer('REJECT', 'WAREHOUSE-7'))).toEqual({ status: 'REJECTED', source: 'WAREHOUSE-7' });
  });
});

describe('order saga settings', () => {
  it('defaults to the seed’s topics, a 10 s window, exactly-once and Postgres state', () => {
    expect(resolveSagaSettings()).toMatchObject({
      paymentTopic: 'payment-orders',
      stockTopic: 'stock-orders',
      ordersTopic: 'saga-orders',
      dlqTopic: 'recovererDLQ',
      joinWindowMs: 10_000,
      failureMode: 'atomic',
      stateStore: 'postgres',
    });
  });

  it('takes explicit options over the environment', () => {
    const settings = resolveSagaSettings({ joinWindowMs: '2500' }, { SAGA_JOIN_WINDOW_MS: '9000', SAGA_STATE_STORE: 'redis', SAGA_FAILURE_MODE: 'SKIP_AND_LOG' });
    expect(settings).toMatchObject({ joinWindowMs: 2_500, stateStore: 'redis', failureMode: 'skip-and-log' });
  });

  it.each([
    [{ stateStore: 'mongo' }, 'stateStore'],
    [{ joinWindowMs: '0' }, 'joinWindowMs'],
    [{ stockTopic: 'payment-orders' }, 'topics'],
    [{ stateTable: 'x-y' }, 'stateTable'],
  ])('rejects %j naming %s', (options, field) => {
    expect(() => resolveSagaSettings(options)).toThrow(ConfigError);
    try {
      resolveSagaSettings(options);
    } catch (error) {
      expect((error as ConfigError).field).toBe(field);
    }
  });
});
