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

  it('turns static membership on for an explicit instance id only, and lets it be turned off', () => {
    expect(resolveKafkaOptions({ ...base, instanceId: 'w-1' }, {})).toMatchObject({ instanceId: 'w-1', instanceIdSource: 'option', groupInstanceId: 'w-1' });
    expect(resolveKafkaOptions(base, { ORCHESTRON_INSTANCE_ID: 'w-2', HOSTNAME: 'h' })).toMatchObject({ instanceId: 'w-2', groupInstanceId: 'w-2' });
    const fromHost = resolveKafkaOptions(base, { HOSTNAME: 'laptop' });
    expect(fromHost).toMatchObject({ instanceId: 'laptop', instanceIdSource: 'HOSTNAME', transactionalId: 'g-laptop' });
    expect(fromHost.groupInstanceId).toBeUndefined();
    expect(resolveKafkaOptions(base, {}).instanceIdSource).toBe('default');
    expect(resolveKafkaOptions({ ...base, instanceId: 'w-1', staticMembership: false }, {}).groupInstanceId).toBeUndefined();
    expect(resolveKafkaOptions({ ...base, staticMembership: true }, { HOSTNAME: 'pod-0' }).groupInstanceId).toBe('pod-0');
    expect(resolveKafkaOptions({ ...base, instanceId: 'w-1', groupProtocol: 'consumer' }, {}).groupInstanceId).toBeUndefined();
    expect(resolveKafkaOptions({ ...base, instanceId: 'w-1', groupProtocol: 'consumer', staticMembership: true }, {}).groupInstanceId).toBe('w-1');
  });

  it('takes the group protocol, naming the field and the allowed values when it is not one', () => {
    expect(resolveKafkaOptions(base, {})).toMatchObject({ groupProtocol: 'classic', sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3_000 });
    const consumer = resolveKafkaOptions({ ...base, groupProtocol: 'consumer' }, {});
    expect(consumer.groupProtocol).toBe('consumer');
    expect(consumer.sessionTimeoutMs).toBeUndefined();
    expect(() => resolveKafkaOptions({ ...base, groupProtocol: 'cooperative' as 'classic' }, {})).toThrow(/groupProtocol.*classic.*consumer/);
  });

  it('refuses session settings with the consumer protocol, whose broker sets them', () => {
    for (const field of ['sessionTimeoutMs', 'heartbeatIntervalMs'] as const) {
      const error = (() => {
        try {
          resolveKafkaOptions({ ...base, groupProtocol: 'consumer', [field]: 10_000 }, {});
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe(field);
      expect((error as Error).message).toMatch(/groupProtocol 'consumer'.*group\.consumer\./);
    }
  });
});
