import { kOptions } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { ConfigError, pipelineContext } from '../../core/index.ts';
import { resolveClientOptions } from './client-options.ts';
import { resolveKafkaOptions } from './options.ts';
import { KafkaTransport } from './transport.ts';

// Constructing a transport connects to nothing; a broker address that is never dialled is enough.
const base = { brokers: '127.0.0.1:1', groupId: 'client-options-test', topics: ['in'] } as const;

const refusal = (client: unknown): ConfigError => {
  try {
    resolveKafkaOptions({ ...base, client: client as object }, {});
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(client)}`);
};

describe('kafka.client: the Kafka client retry and timeout settings', () => {
  it('accepts whole numbers in range, and nothing set when none is given', () => {
    expect(resolveKafkaOptions(base, {}).client).toEqual({});
    const all = { retries: 0, retryDelayMs: 0, requestTimeoutMs: 1, connectTimeoutMs: 2_000, metadataMaxAgeMs: 0 };
    expect(resolveClientOptions(all)).toEqual(all);
  });

  it('refuses a value out of range, naming the field and what it allows', () => {
    for (const [field, value, allowed] of [
      ['retries', -1, '≥ 0'],
      ['retryDelayMs', 1.5, '≥ 0'],
      ['requestTimeoutMs', 0, '≥ 1'],
      ['connectTimeoutMs', '5s', '≥ 1'],
      ['metadataMaxAgeMs', null, '≥ 0'],
    ] as const) {
      const error = refusal({ [field]: value });
      expect(error.field).toBe(`kafka.client.${field}`);
      expect(error.message).toContain(`must be a whole number ${allowed}`);
    }
  });

  it('refuses an unknown setting by name, listing the known ones, and a client that is not an object', () => {
    const unknown = refusal({ retryDelay: 100 });
    expect(unknown.field).toBe('kafka.client.retryDelay');
    expect(unknown.message).toMatch(/retries, retryDelayMs, requestTimeoutMs, connectTimeoutMs, metadataMaxAgeMs/);
    expect(refusal([1]).field).toBe('kafka.client');
  });

  it('reaches the consumer and the producer in the client option names', async () => {
    const client = { retries: 7, retryDelayMs: 250, requestTimeoutMs: 12_000, connectTimeoutMs: 3_000, metadataMaxAgeMs: 60_000 };
    const transport = new KafkaTransport({ ...base, client, context: pipelineContext({ failureMode: 'atomic' }) });
    try {
      for (const kafkaClient of [transport.consumer, transport.producer]) {
        const options = (kafkaClient as unknown as Record<symbol, Record<string, unknown>>)[kOptions]!;
        expect(options).toMatchObject({ retries: 7, requestTimeout: 12_000, connectTimeout: 3_000, metadataMaxAge: 60_000 });
        const delay = options.retryDelay as (...args: unknown[]) => number;
        expect(delay(kafkaClient, 'metadata', 1, 7, new Error('connection refused'))).toBe(250);
      }
    } finally {
      await transport.close(0);
    }
  });

  it('leaves the client defaults alone when unset (the idempotent producer keeps its unlimited retries)', async () => {
    const transport = new KafkaTransport({ ...base, context: pipelineContext({ failureMode: 'atomic' }) });
    try {
      const options = (transport.producer as unknown as Record<symbol, Record<string, unknown>>)[kOptions]!;
      expect(options).toMatchObject({ retries: Number.MAX_SAFE_INTEGER, connectTimeout: 5_000, metadataMaxAge: 5_000 });
      expect(options.requestTimeout).toBeUndefined();
    } finally {
      await transport.close(0);
    }
  });
});
