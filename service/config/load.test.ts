import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/index.ts';
import { loadConfig, parseConfigText, validateConfig } from './load.ts';
import { writeConfig } from '../testing/spawn-cli.ts';

const minimal = { topics: ['orders'] };
const errorOf = (run: () => unknown): ConfigError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('validateConfig', () => {
  it('fills every default from a minimal config', () => {
    const config = validateConfig(minimal);
    expect(config).toMatchObject({
      transport: 'kafka',
      failureMode: 'atomic',
      trackerStrategy: 'NONE',
      store: 'memory',
      maxAttempts: 3,
      kafka: { groupId: 'orchestron', batchSize: 1000, commitIntervalMs: 100 },
      breaker: { failureThreshold: 5, openMs: 10_000, callTimeoutMs: 5_000 },
      http: { enabled: true, port: 8080 },
      shutdown: { deadlineMs: 10_000 },
    });
  });

  it('names the field and its allowed values for a wrong choice', () => {
    const error = errorOf(() => validateConfig({ ...minimal, failureMode: 'sometimes' }));
    expect(error.field).toBe('failureMode');
    expect(error.message).toBe('failureMode: must be one of atomic, skip-and-log; got "sometimes"');
    expect(errorOf(() => validateConfig({ ...minimal, trackerStrategy: 'ALL' })).message).toContain('OUTBOX, RELIABLE, LIGHTWEIGHT, NONE');
  });

  it('refuses unknown keys, listing the allowed ones at that level', () => {
    const top = errorOf(() => validateConfig({ ...minimal, failuremode: 'atomic' }));
    expect(top.field).toBe('failuremode');
    expect(top.message).toContain('allowed keys: transport, topics');
    const nested = errorOf(() => validateConfig({ ...minimal, kafka: { batchsize: 10 } }));
    expect(nested.message).toMatch(/^kafka\.batchsize: unknown key in kafka; allowed keys: brokers, groupId/);
  });

  it('takes the Kafka client settings, refusing an unknown one by name and a value out of range', () => {
    expect(validateConfig(minimal).kafka.client).toEqual({});
    expect(validateConfig({ ...minimal, kafka: { client: { retries: 5, retryDelayMs: 200 } } }).kafka.client).toEqual({ retries: 5, retryDelayMs: 200 });
    const unknown = errorOf(() => validateConfig({ ...minimal, kafka: { client: { retryDelay: 200 } } }));
    expect(unknown.field).toBe('kafka.client.retryDelay');
    expect(unknown.message).toContain('allowed keys: retries, retryDelayMs, requestTimeoutMs, connectTimeoutMs, metadataMaxAgeMs');
    expect(errorOf(() => validateConfig({ ...minimal, kafka: { client: { requestTimeoutMs: 0 } } })).message).toBe('kafka.client.requestTimeoutMs: must be ≥ 1; got 0');
  });

  it('takes a readiness lag threshold only with the lag measured', () => {
    expect(validateConfig({ ...minimal, kafka: { readyMaxLag: 500 } }).kafka).toMatchObject({ readyMaxLag: 500, lagIntervalMs: 5_000 });
    expect(errorOf(() => validateConfig({ ...minimal, kafka: { readyMaxLag: 0 } })).message).toBe('kafka.readyMaxLag: must be ≥ 1; got 0');
    expect(errorOf(() => validateConfig({ ...minimal, kafka: { readyMaxLag: 500, lagIntervalMs: 0 } })).field).toBe('kafka.readyMaxLag');
  });

  it('takes retry topics in skip-and-log on kafka only, with growing delays', () => {
    const retrying = { ...minimal, failureMode: 'skip-and-log', retryTopics: { enabled: true, delaysMs: [200, 1_000] } };
    expect(validateConfig(retrying).retryTopics).toEqual({ enabled: true, delaysMs: [200, 1_000], autoCreateTopics: true });
    expect(validateConfig({ ...minimal, failureMode: 'skip-and-log', retryTopics: { enabled: true } }).retryTopics.delaysMs).toEqual([10_000, 60_000, 600_000]);
    expect(validateConfig({ ...retrying, retryTopics: { enabled: true, autoCreateTopics: false } }).retryTopics.autoCreateTopics).toBe(false);
    const atomic = errorOf(() => validateConfig({ ...retrying, failureMode: 'atomic' }));
    expect(atomic.field).toBe('retryTopics.enabled');
    expect(atomic.message).toMatch(/needs failureMode skip-and-log \(allowed: skip-and-log\), not atomic/);
    expect(errorOf(() => validateConfig({ ...retrying, transport: 'memory' })).message).toMatch(/^retryTopics\.enabled: needs transport kafka/);
    expect(errorOf(() => validateConfig({ ...retrying, retryTopics: { enabled: true, delaysMs: [1_000, 200] } })).field).toBe('retryTopics.delaysMs');
    expect(errorOf(() => validateConfig({ ...retrying, retryTopics: { enabled: true, delaysMs: [] } })).field).toBe('retryTopics.delaysMs');
    expect(validateConfig({ ...minimal, retryTopics: { enabled: false } }).retryTopics.enabled).toBe(false);
  });

  it('reports wrong values before missing keys, all at once', () => {
    const error = errorOf(() => validateConfig({ failureMode: 'sometimes', kafka: { batchSize: 0 } }));
    expect(error.field).toBe('failureMode');
    expect(error.message.split('\n')).toEqual([
      'failureMode: must be one of atomic, skip-and-log; got "sometimes"',
      '  kafka.batchSize: must be ≥ 1; got 0',
      '  topics: is required',
    ]);
  });

  it('checks numbers, brokers and codecs', () => {
    expect(errorOf(() => validateConfig({ ...minimal, http: { port: 1.5 } })).message).toBe('http.port: must be a whole number; got 1.5');
    expect(errorOf(() => validateConfig({ ...minimal, kafka: { brokers: 'localhost' } })).message).toContain('kafka.brokers: expected host:port');
    expect(errorOf(() => validateConfig({ ...minimal, codec: 'xml' })).message).toBe('codec: must be one of json, utf8 or { module, export }; got "xml"');
  });

  it('lets the environment override the file', () => {
    const config = validateConfig(
      { ...minimal, failureMode: 'atomic', kafka: { brokers: 'a:1' } },
      { KAFKA_BROKERS: 'b:2,c:3', FAILURE_MODE: 'skip-and-log', DATABASE_URL: 'postgres://u:p@h:5432/d', HTTP_PORT: '9000', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 's' },
    );
    expect(config.kafka.brokers).toBe('b:2,c:3');
    expect(config.failureMode).toBe('skip-and-log');
    expect(config.postgres.url).toBe('postgres://u:p@h:5432/d');
    expect(config.http.port).toBe(9000);
    expect(config.kafka.sasl).toEqual({ mechanism: 'PLAIN', username: 'u', password: 's' });
  });

  it('validates environment values like file values', () => {
    const error = errorOf(() => validateConfig(minimal, { TRACKER_STRATEGY: 'SOMETIMES' }));
    expect(error.field).toBe('trackerStrategy');
  });

  it('throws nothing but ConfigError for arbitrary input', () => {
    fc.assert(
      fc.property(fc.anything(), fc.dictionary(fc.constantFrom('KAFKA_BROKERS', 'HTTP_PORT', 'FAILURE_MODE', 'LOG_LEVEL'), fc.string()), (raw, env) => {
        try {
          validateConfig(raw, env);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('throws nothing but ConfigError for arbitrary config-shaped objects', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string()));
    const section = fc.dictionary(fc.constantFrom('port', 'batchSize', 'brokers', 'level', 'enabled', 'module', 'url', 'bogus'), value);
    const shaped = fc.record(
      { topics: fc.array(fc.string()), failureMode: value, kafka: section, http: section, log: section, transform: section, codec: value },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(shaped, (raw) => {
        try {
          validateConfig(raw);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('loadConfig', () => {
  it('reads YAML and JSON files', async () => {
    const json = await writeConfig({ topics: ['t'], failureMode: 'skip-and-log' });
    expect((await loadConfig(json)).config.failureMode).toBe('skip-and-log');
    const yaml = parseConfigText('topics: [t]\nkafka:\n  batchSize: 50\n', 'x.yaml');
    expect(validateConfig(yaml).kafka.batchSize).toBe(50);
  });

  it('says which file is missing or unparsable', async () => {
    await expect(loadConfig('/nonexistent/orchestron.yaml')).rejects.toThrow('config: no such file: /nonexistent/orchestron.yaml');
    expect(() => parseConfigText('{"topics": [', 'c.json')).toThrow(/^config: c\.json is not valid JSON/);
    expect(() => parseConfigText('a: [', 'c.yaml')).toThrow(/^config: c\.yaml is not valid YAML/);
  });
});
