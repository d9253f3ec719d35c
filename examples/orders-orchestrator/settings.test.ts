import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/index.ts';
import { optionsFromArgs, resolveOrchestratorSettings } from './settings.ts';

describe('orders-orchestrator settings', () => {
  it('defaults to the seed: atomic, OUTBOX, orders → enriched-orders, dead letters beside the source', () => {
    const settings = resolveOrchestratorSettings();
    expect(settings).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      sourceTopic: 'orders',
      targetTopic: 'enriched-orders',
      dlqTopic: 'orders-dlq',
      failureMode: 'atomic',
      dbStrategy: 'OUTBOX',
      maxAttempts: 3,
      orderBy: 'key',
      dbCircuitFailureThreshold: 5,
      dbCircuitOpenMs: 10_000,
    });
  });

  it('takes explicit options over the environment over the defaults, and accepts the seed spellings', () => {
    const env = {
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      ORCHESTRATOR_SOURCE_TOPIC: 'from-env',
      ORCHESTRATOR_FAILURE_MODE: 'SKIP_AND_LOG',
      ORCHESTRATOR_DB_STRATEGY: 'lightweight',
      ORCHESTRATOR_CONCURRENCY: '64',
    };
    const settings = resolveOrchestratorSettings({ sourceTopic: 'explicit', concurrency: 8 }, env);
    expect(settings).toMatchObject({
      brokers: ['k1:9092', 'k2:9092'],
      sourceTopic: 'explicit',
      dlqTopic: 'explicit-dlq',
      failureMode: 'skip-and-log',
      dbStrategy: 'LIGHTWEIGHT',
      concurrency: 8,
    });
  });

  it('reads flags, with --skip-and-log as a shortcut and --help as no options', () => {
    const options = optionsFromArgs(['--source-topic', 'in', '--max-attempts', '5', '--skip-and-log', '--capture-payload']);
    expect(options).toEqual({ sourceTopic: 'in', maxAttempts: '5', failureMode: 'skip-and-log', capturePayload: true });
    expect(resolveOrchestratorSettings(options)).toMatchObject({ maxAttempts: 5, capturePayload: true, failureMode: 'skip-and-log' });
    expect(optionsFromArgs(['--help'])).toBeUndefined();
    expect(() => optionsFromArgs(['--no-such-flag'])).toThrow();
  });

  it.each([
    [{ failureMode: 'eventually' }, 'failureMode'],
    [{ dbStrategy: 'OUTBOXX' }, 'dbStrategy'],
    [{ concurrency: '0' }, 'concurrency'],
    [{ maxAttempts: 'three' }, 'maxAttempts'],
    [{ orderBy: 'customer' }, 'orderBy'],
    [{ trackerTable: 'orders; drop table x' }, 'trackerTable'],
    [{ sourceTopic: 'has space' }, 'sourceTopic'],
    [{ brokers: 'no-port' }, 'brokers'],
  ])('rejects %j with a ConfigError naming %s', (options, field) => {
    let error: unknown;
    try {
      resolveOrchestratorSettings(options);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(field);
  });
});
