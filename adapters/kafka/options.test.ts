import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/index.ts';
import { checkTopicName, resolveKafkaOptions } from './options.ts';

const base = { brokers: ['127.0.0.1:9092'], groupId: 'g', topics: ['orders'] };

describe('Kafka options', () => {
  it('accepts the topic names the broker accepts', () => {
    for (const name of ['orders', 'orders.v2', 'orders_dlq', 'a-b', 'x'.repeat(249)]) expect(checkTopicName('topics', name)).toBe(name);
  });

  it('refuses other topic names, naming the field and the rule', () => {
    for (const name of ['', '.', '..', 'orders events', 'orders/eu', 'ördérs', 'x'.repeat(250), 42]) {
      const error = (() => {
        try {
          resolveKafkaOptions({ ...base, topics: [name as string] }, {});
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('topics');
      expect((error as Error).message).toMatch(/Kafka topic name/);
    }
  });
});
