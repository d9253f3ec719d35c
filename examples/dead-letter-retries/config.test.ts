import { describe, expect, it } from 'vitest';
import { ConfigError, defaultRetry } from '../../core/index.ts';
import { resolvePaymentsOptions } from './config.ts';

describe('dead-letter-retries options', () => {
  it("defaults to the seed's topics and retry schedule: 3 attempts, 1 s doubling to 30 s, full jitter", () => {
    const options = resolvePaymentsOptions({}, {});
    expect(options).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      inputTopic: 'payment-orders-in',
      outputTopic: 'payment-orders-in-paid',
      deadLetterTopic: 'payment-orders-in-dlq',
      groupId: 'order-payments',
      gateway: 'v1',
      timeoutMs: 5_000,
    });
    expect(options.retry).toEqual(defaultRetry);
  });

  it('takes explicit options over the environment, and the environment over defaults', () => {
    const env = { KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092', ORDERS_TOPIC: 'shop-orders', RETRY_INITIAL_DELAY_MS: '50', RETRY_MAX_DELAY_MS: '400', PAYMENT_GATEWAY_VERSION: 'v2' };
    const options = resolvePaymentsOptions({ retry: { maxDelayMs: 100 } }, env);
    expect(options.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(options.deadLetterTopic).toBe('shop-orders-dlq');
    expect(options.gateway).toBe('v2');
    expect(options.retry).toMatchObject({ initialDelayMs: 50, maxDelayMs: 100 });
    expect(resolvePaymentsOptions({}, { RETRY_JITTER: 'none' }).retry.jitter).toBe('none');
    expect(() => resolvePaymentsOptions({}, { RETRY_JITTER: 'some' })).toThrow(/retry.jitter: must be one of full, equal, none/);
  });

  it('names the bad setting', () => {
    expect(() => resolvePaymentsOptions({}, { RETRY_ATTEMPTS: 'three' })).toThrow(/RETRY_ATTEMPTS: must be a whole number/);
    expect(() => resolvePaymentsOptions({ retry: { initialDelayMs: 500, maxDelayMs: 100 } })).toThrow(/retry.maxDelayMs/);
    expect(() => resolvePaymentsOptions({ gateway: 'v3' as never })).toThrow(ConfigError);
    expect(() => resolvePaymentsOptions({ inputTopic: 'bad topic' })).toThrow(/inputTopic/);
  });
});
