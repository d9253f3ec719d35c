// Scenario 9: bad input, property-based. Arbitrary bytes through the decode stage, arbitrary values through the
// option resolvers and the config loader: the only errors are our typed ones, and nothing escapes the stage.
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { OrchestronError, decode, envelope, json, pipeline, utf8 } from '../core/index.ts';
import type { Codec, StandardSchemaV1 } from '../core/index.ts';
import { collect, harness, record } from '../core/testing/fixtures.ts';
import { resolveKafkaOptions } from '../adapters/kafka/options.ts';
import type { KafkaOptions } from '../adapters/kafka/options.ts';
import { resolveTrackerOptions as resolveMongoOptions } from '../adapters/mongodb/options.ts';
import { resolvePostgresOptions } from '../adapters/postgres/options.ts';
import { resolveRedisOptions } from '../adapters/redis/options.ts';
import { parseConfigText, validateConfig } from '../service/config/load.ts';
import { scaled } from './profile.ts';

const runs = scaled({ short: 200, full: 5_000 });
const encoder = new TextEncoder();

/** Bytes a decoder meets: anything at all, text, JSON and JSON cut short or with a byte flipped, empty and null. */
const value = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.string({ unit: 'binary', maxLength: 256 }).map((s) => encoder.encode(s)),
  fc.json().map((s) => encoder.encode(s)),
  fc.tuple(fc.json(), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([text, at, byte]) => {
    const bytes = encoder.encode(text);
    if (bytes.length > 0) bytes[at % bytes.length] = byte;
    return bytes.subarray(0, 1 + (at % Math.max(1, bytes.length)));
  }),
  fc.constant(new Uint8Array(0)),
  fc.constant(null),
);

const schema = v.object({ id: v.number(), seq: v.optional(v.number()) }) as unknown as StandardSchemaV1<unknown, { id: number }>;
const codecs: Codec<unknown>[] = [json(), utf8(), utf8({ allowEmpty: true })];

/** Runs `fn`; returns what it threw, or undefined. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('bad input (property-based)', () => {
  it('decode: arbitrary bytes become values or records dropped with a typed, non-retryable error; the stage never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 30 }), fc.nat(codecs.length - 1), fc.boolean(), async (values, which, withSchema) => {
        const codec = codecs[which] as Codec<unknown>;
        const { broker, source } = harness('skip-and-log');
        broker.createTopic('in', 1);
        broker.append(values.map((bytes, i) => record('in', `k${i}`, bytes)));
        const stage = withSchema && codec.name === 'json' ? decode(codec, { schema }) : decode(codec);
        const batches = await collect(pipeline(source(['in'], { batchSize: 1_000 }), stage));
        const kept = batches.reduce((n, b) => n + b.records.length, 0);
        const dropped = batches.flatMap((b) => b.dropped);
        expect(kept + dropped.length).toBe(values.length);
        for (const drop of dropped) {
          expect(drop.reason).toBe('failed');
          expect(drop.error).toBeInstanceOf(OrchestronError);
          expect(['DESERIALIZATION_ERROR', 'VALIDATION_ERROR']).toContain(drop.error?.code);
          expect(drop.error?.retryable).toBe(false);
          expect(drop.error?.message.length).toBeLessThan(1_000);
        }

        for (const [offset, bytes] of values.entries()) {
          const error = thrownBy(() => codec.decode(bytes, envelope({ topic: 'in', partition: 0, offset: BigInt(offset), value: bytes }, 0)));
          if (error !== undefined) expect(error).toBeInstanceOf(OrchestronError);
        }
      }),
      { numRuns: runs },
    );
  });

  it('config: the option resolvers throw nothing but ConfigError for any value at all', () => {
    // Anything a caller can pass, well past what a file holds: BigInts, null-prototype objects, symbols' keys, dates.
    const anything = fc.oneof(fc.anything({ maxDepth: 2, withBigInt: true, withNullPrototype: true, withDate: true, withTypedArray: true }), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, ''));
    const options = (keys: readonly string[]) => fc.dictionary(fc.constantFrom(...keys), anything, { maxKeys: 4 });
    const kafkaKeys = ['brokers', 'groupId', 'topics', 'failureMode', 'compression', 'batchSize', 'commitIntervalMs', 'sessionTimeoutMs', 'heartbeatIntervalMs', 'maxBufferedRecords', 'fetchMaxBytes', 'fetchMaxBytesPerPartition', 'instanceId', 'fromBeginning'];
    const storeKeys = ['url', 'keyPrefix', 'schema', 'trackerTable', 'dedupTable', 'poolSize', 'connectTimeoutMs', 'commandTimeoutMs', 'statementTimeoutMs', 'collection', 'maxPoolSize', 'migrate'];
    const resolvers = [
      { name: 'kafka', options: options(kafkaKeys), resolve: (o: object) => resolveKafkaOptions({ groupId: 'g', topics: ['t'], ...o } as KafkaOptions, {}) },
      { name: 'postgres', options: options(storeKeys), resolve: (o: object) => resolvePostgresOptions(o, {}) },
      { name: 'redis', options: options(storeKeys), resolve: (o: object) => resolveRedisOptions(o, {}) },
      { name: 'mongodb', options: options(storeKeys), resolve: (o: object) => resolveMongoOptions(o, {}) },
    ];
    for (const { name, options: arbitrary, resolve } of resolvers) {
      fc.assert(
        fc.property(arbitrary, (o) => {
          const error = thrownBy(() => resolve(o));
          if (error !== undefined && !(error instanceof OrchestronError && error.code === 'CONFIG_ERROR')) {
            throw new Error(`${name}: threw ${String(error)} for ${fc.stringify(o)}`);
          }
        }),
        { numRuns: runs },
      );
    }
  });

  it('config: the loader turns any file text and any parsed value into a Config or a ConfigError', () => {
    const text = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((bytes) => new TextDecoder().decode(bytes)),
      fc.string({ maxLength: 300 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.constantFrom('topics: [a]\nfailureMode: sometimes', 'kafka: {brokers: 5}', '!!binary x', '&a [*a]', 'a: &a [*a, *a]', '%YAML 9.9\n---\n'),
    );
    fc.assert(
      fc.property(text, fc.constantFrom('config.yaml', 'config.json'), (source, name) => {
        const error = thrownBy(() => validateConfig(parseConfigText(source, name), {}));
        if (error !== undefined && !(error instanceof OrchestronError && error.code === 'CONFIG_ERROR')) {
          throw new Error(`threw ${String(error)} for ${JSON.stringify(source)}`);
        }
      }),
      { numRuns: runs },
    );
    const anything = fc.anything({ maxDepth: 3, withBigInt: true, withNullPrototype: true, withDate: true, withMap: true, withSet: true });
    const env = fc.dictionary(fc.constantFrom('KAFKA_BROKERS', 'HTTP_PORT', 'PORT', 'FAILURE_MODE', 'TRACKER_STRATEGY', 'ORCHESTRON_STORE', 'LOG_LEVEL', 'DATABASE_URL'), fc.string());
    fc.assert(
      fc.property(fc.oneof(anything, fc.record({ topics: anything, kafka: anything, postgres: anything, transform: anything, http: anything })), env, (raw, vars) => {
        const error = thrownBy(() => validateConfig(raw, vars));
        if (error !== undefined && !(error instanceof OrchestronError && error.code === 'CONFIG_ERROR')) {
          throw new Error(`threw ${String(error)} for ${fc.stringify(raw)}`);
        }
      }),
      { numRuns: runs },
    );
  });
});
