import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { json } from '../codecs/json.ts';
import { utf8 } from '../codecs/utf8.ts';
import { isOrchestronError } from '../errors.ts';
import type { StandardSchemaV1 } from '../schema.ts';
import { pipeline } from '../pipeline.ts';
import { collect, harness, record } from '../testing/fixtures.ts';
import { decode } from './decode.ts';

interface Order {
  id: string;
  amount: number;
}

/** A hand-written Standard Schema validator: any library implementing the spec plugs in the same way. */
const orderSchema: StandardSchemaV1<unknown, Order> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate(value) {
      const v = value as Partial<Order> | null;
      const issues: StandardSchemaV1.Issue[] = [];
      if (typeof v !== 'object' || v === null) return { issues: [{ message: 'expected an object' }] };
      if (typeof v.id !== 'string') issues.push({ message: 'expected a string', path: ['id'] });
      if (typeof v.amount !== 'number') issues.push({ message: 'expected a number', path: [{ key: 'amount' }] });
      return issues.length > 0 ? { issues } : { value: v as Order };
    },
  },
};

async function decodeAll(values: (Uint8Array | string | null)[], withSchema = false) {
  const { broker, source } = harness('skip-and-log');
  broker.createTopic('in', 1);
  broker.append(values.map((value, i) => record('in', `k${i}`, value)));
  const stage = withSchema ? decode(json(), { schema: orderSchema }) : decode(json<Order>());
  const batches = await collect(pipeline(source(['in'], { batchSize: 1_000 }), stage));
  return {
    values: batches.flatMap((b) => b.records.map((r) => r.value)),
    dropped: batches.flatMap((b) => b.dropped),
  };
}

describe('decode', () => {
  it('decodes JSON and keeps the bytes as consumed', async () => {
    const { broker, source } = harness();
    broker.createTopic('in', 1);
    broker.append([record('in', 'a', { id: 'a', amount: 1 })]);
    const [batch] = await collect(pipeline(source(['in']), decode(json<Order>())));
    expect(batch?.records[0]?.value).toEqual({ id: 'a', amount: 1 });
    expect(new TextDecoder().decode(batch?.records[0]?.raw ?? new Uint8Array())).toBe('{"id":"a","amount":1}');
  });

  it('files malformed input under the right category and keeps going', async () => {
    const huge = new Uint8Array(10 * 1024 * 1024).fill(0x7b); // 10 MB of '{'
    const { values, dropped } = await decodeAll([
      '{"id":"ok","amount":1}',
      '{not json',
      null,
      new Uint8Array(0),
      huge,
      new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), // invalid UTF-8
      '{"id":"ok2","amount":2}',
    ]);
    expect(values).toEqual([
      { id: 'ok', amount: 1 },
      { id: 'ok2', amount: 2 },
    ]);
    expect(dropped.map((d) => d.error?.code)).toEqual([
      'DESERIALIZATION_ERROR',
      'DESERIALIZATION_ERROR',
      'DESERIALIZATION_ERROR',
      'DESERIALIZATION_ERROR',
      'DESERIALIZATION_ERROR',
    ]);
    expect(dropped.every((d) => d.reason === 'failed' && d.error?.retryable === false)).toBe(true);
    expect(dropped[1]?.error?.message).toContain('empty value');
    expect(dropped[3]?.error?.message.length).toBeLessThan(500);
    expect(dropped[4]?.error?.message).toContain('invalid UTF-8');
  });

  it('keeps the input order of decode and schema failures, with no stack on them or their causes', async () => {
    const { dropped } = await decodeAll(['{"id":1}', '{bad', '{"id":"a","amount":1}', '[', '{"amount":2}'], true);
    expect(dropped.map((d) => [d.record.offset, d.error?.code])).toEqual([
      [0n, 'VALIDATION_ERROR'],
      [1n, 'DESERIALIZATION_ERROR'],
      [3n, 'DESERIALIZATION_ERROR'],
      [4n, 'VALIDATION_ERROR'],
    ]);
    const frames = (error: unknown) => String((error as Error | undefined)?.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).length;
    for (const drop of dropped) {
      expect(frames(drop.error)).toBe(0);
      expect(frames(drop.error?.cause)).toBe(0);
    }
    expect(frames(new Error('stacks are back on after the stage'))).toBeGreaterThan(0);
  });

  it('decodes a valid 10 MB value', async () => {
    const big = JSON.stringify({ id: 'big', amount: 3, blob: 'x'.repeat(10 * 1024 * 1024) });
    const { values, dropped } = await decodeAll([big]);
    expect(dropped).toHaveLength(0);
    expect((values[0] as unknown as { blob: string }).blob.length).toBe(10 * 1024 * 1024);
  });

  it('rejects schema mismatches with VALIDATION_ERROR naming the fields', async () => {
    const { values, dropped } = await decodeAll(['{"id":"a","amount":1}', '{"id":7}', '[1]'], true);
    expect(values).toEqual([{ id: 'a', amount: 1 }]);
    expect(dropped.map((d) => d.error?.code)).toEqual(['VALIDATION_ERROR', 'VALIDATION_ERROR']);
    expect(dropped[0]?.error?.message).toContain('id: expected a string');
    expect(dropped[0]?.error?.message).toContain('amount: expected a number');
  });

  it('decodes strict UTF-8 strings', async () => {
    const { broker, source } = harness();
    broker.createTopic('in', 1);
    broker.append([record('in', null, 'héllo'), record('in', null, new Uint8Array([0xc3]))]);
    const [batch] = await collect(pipeline(source(['in']), decode(utf8())));
    expect(batch?.records.map((r) => r.value)).toEqual(['héllo']);
    expect(batch?.dropped[0]?.error?.code).toBe('DESERIALIZATION_ERROR');
  });

  it('never throws for arbitrary bytes: every record is decoded or dropped with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.json().map((j) => new TextEncoder().encode(j))), {
          maxLength: 20,
        }),
        async (values) => {
          const { values: decoded, dropped } = await decodeAll(values, true);
          expect(decoded.length + dropped.length).toBe(values.length);
          for (const drop of dropped) {
            expect(isOrchestronError(drop.error)).toBe(true);
            expect(['DESERIALIZATION_ERROR', 'VALIDATION_ERROR']).toContain(drop.error?.code);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('decode failures in the log', () => {
  it('say why a record failed without quoting it: the JSON position, the invalid fields', async () => {
    const lines: Record<string, unknown>[] = [];
    const h = harness('skip-and-log');
    const logger = { ...h.context.platform.logger, warn: (fields: Record<string, unknown>) => void lines.push(fields) };
    const context = { ...h.context, platform: { ...h.context.platform, logger } };
    h.broker.createTopic('in', 1);
    h.broker.append([record('in', 'a', '{"id":"secret-1",'), record('in', 'b', { id: 'secret-2', amount: 'lots' })]);
    await collect(pipeline(h.source(['in'], { context }), decode(json(), { schema: orderSchema })));
    expect(lines.map((l) => [l.category, l.error])).toEqual([
      ['DESERIALIZATION_ERROR', expect.stringMatching(/^invalid JSON( at position \d+)?$/)],
      ['VALIDATION_ERROR', 'invalid fields: amount'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });
});
