import { describe, expect, expectTypeOf, it } from 'vitest';
import * as v from 'valibot';
import { decode, isOrchestronError, pipeline } from '../../core/index.ts';
import { collect, harness, record } from '../../core/testing/fixtures.ts';
import { avro, jsonSchema, protobuf } from './codec.ts';
import type { Order } from './testing.ts';
import { order, orderAvro, orderJsonSchema, orderProto } from './testing.ts';
import { MemorySchemaRegistry } from './memory.ts';
import { SchemaRegistry } from './registry.ts';
import { frame } from './wire.ts';

/** Runs `stage` over `values` in one batch; returns the decoded values, the dropped records and the batch failure. */
async function run<T>(stage: ReturnType<typeof decode<T>>, values: (Uint8Array | null)[]) {
  const { broker, source } = harness('skip-and-log');
  broker.createTopic('in', 1);
  broker.append(values.map((value, i) => record('in', `k${i}`, value)));
  const batches = await collect(pipeline(source(['in'], { batchSize: 100 }), stage));
  return {
    values: batches.flatMap((b) => b.records.map((r) => r.value)),
    dropped: batches.flatMap((b) => b.dropped),
    failure: batches[0]?.failure,
  };
}

describe('Schema Registry codecs in decode', () => {
  it('decodes the three formats, each record with the schema its id names', async () => {
    const registry = new MemorySchemaRegistry();
    for (const codec of [
      avro<Order>({ registry, schema: orderAvro, autoRegister: true }),
      protobuf<Order>({ registry, schema: orderProto, autoRegister: true }),
      jsonSchema<Order>({ registry, schema: orderJsonSchema, autoRegister: true }),
    ]) {
      const encode = await codec.encoder('orders');
      const { values, dropped } = await run(decode(codec), [encode(order(1)), encode(order(2))]);
      expect(dropped).toEqual([]);
      expect(values.map((value) => ({ ...(value as Order) }))).toEqual([order(1), order(2)]);
    }
  });

  it('dead-letters undecodable records as DESERIALIZATION_ERROR naming the schema id, and keeps the others', async () => {
    const registry = new MemorySchemaRegistry();
    const codec = jsonSchema<Order>({ registry, schema: orderJsonSchema, autoRegister: true });
    const good = (await codec.encoder('orders'))(order(1));
    const id = new DataView(good.buffer).getInt32(1);
    const { values, dropped } = await run(decode(codec), [
      frame(id, new TextEncoder().encode('{"id":"x"}')), // breaks its schema
      good,
      frame(999, new TextEncoder().encode('{}')), // an id the registry does not have
      new TextEncoder().encode('{"id":"plain json"}'), // not in the wire format
    ]);
    expect(values).toEqual([order(1)]);
    expect(dropped.map((d) => [d.error?.code, d.error?.retryable])).toEqual(Array(3).fill(['DESERIALIZATION_ERROR', false]));
    expect(dropped[0]?.error?.message).toContain(`schema id ${id}: invalid json-schema payload`);
    expect(dropped[1]?.error?.message).toBe('schema id 999: not found in the schema registry');
    expect(dropped[2]?.error?.message).toContain('magic byte 123');
  });

  it('fails the batch, retryable, while the registry cannot be reached', async () => {
    const registry = new SchemaRegistry({ url: 'http://127.0.0.1:9', timeoutMs: 1_000 });
    const codec = avro<Order>({ registry, retry: { attempts: 1 } });
    const { dropped, failure } = await run(decode(codec), [frame(1, new Uint8Array([2, 0x61]))]);
    expect(dropped).toEqual([]);
    expect(isOrchestronError(failure) && [failure.code, failure.retryable]).toEqual(['SCHEMA_REGISTRY_ERROR', true]);
  });

  it('reads two versions of a JSON Schema that share an $id', async () => {
    const registry = new MemorySchemaRegistry();
    const v1 = { ...orderJsonSchema, $id: 'https://example.com/order.json' };
    const v2 = { ...v1, required: ['id'] };
    const first = (await jsonSchema({ registry, schema: v1, autoRegister: true }).encoder('orders'))(order(1));
    const second = (await jsonSchema({ registry, schema: v2, autoRegister: true }).encoder('orders'))({ id: 'o-2' });
    const { values, dropped } = await run(decode(jsonSchema({ registry })), [first, second]);
    expect(dropped).toEqual([]);
    expect(values).toEqual([order(1), { id: 'o-2' }]);
  });

  it('reads Protobuf schemas that import well-known types, and refuses those that import others, naming the id', async () => {
    const registry = new MemorySchemaRegistry();
    const stamped = `syntax = "proto3";\nimport "google/protobuf/timestamp.proto";\nmessage Stamped { string id = 1; google.protobuf.Timestamp at = 2; }\n`;
    const encode = await protobuf({ registry, schema: stamped, autoRegister: true }).encoder('stamped');
    const imported = `syntax = "proto3";\nimport "shop/order.proto";\nmessage Wrapped { shop.Order order = 1; }\n`;
    const id = await registry.idOf('wrapped-value', { schema: imported, schemaType: 'PROTOBUF' }, true);
    const { values, dropped } = await run(decode(protobuf({ registry })), [encode({ id: 's-1', at: { seconds: 1_700_000_000, nanos: 5 } }), frame(id, new Uint8Array([0, 0x0a, 0]))]);
    expect(values).toEqual([{ id: 's-1', at: { seconds: '1700000000', nanos: 5 } }]);
    expect(dropped[0]?.error?.message).toBe(`schema id ${id}: unusable protobuf schema: schema: imports shop/order.proto: schemas that import others (schema references) are not supported yet`);
  });

  it('refuses a record whose id names a schema of another format', async () => {
    const registry = new MemorySchemaRegistry();
    const json = (await jsonSchema<Order>({ registry, schema: orderJsonSchema, autoRegister: true }).encoder('orders'))(order(1));
    const { dropped } = await run(decode(avro({ registry })), [json]);
    expect(dropped[0]?.error?.message).toBe('schema id 1: a JSON schema, not AVRO');
  });

  it('reads Avro written with an older schema into the reader schema', async () => {
    const registry = new MemorySchemaRegistry();
    const v1 = { ...orderAvro, fields: orderAvro.fields.slice(0, 2) };
    const old = (await avro({ registry, schema: v1, autoRegister: true }).encoder('orders'))({ id: 'o-1', amount: 1.5 });
    const reader = { ...orderAvro, fields: [...v1.fields, { name: 'currency', type: 'string', default: 'EUR' }] };
    const { values } = await run(decode(avro<Order>({ registry, readerSchema: reader })), [old]);
    expect({ ...(values[0] as Order) }).toEqual({ id: 'o-1', amount: 1.5, currency: 'EUR' });
  });

  it('types decoded values through a Standard Schema', async () => {
    const registry = new MemorySchemaRegistry();
    const codec = jsonSchema({ registry, schema: orderJsonSchema, autoRegister: true });
    const schema = v.object({ id: v.string(), amount: v.number(), currency: v.picklist(['EUR', 'USD']) });
    const stage = decode(codec, { schema });
    expectTypeOf(stage).toEqualTypeOf<ReturnType<typeof decode<unknown, typeof schema>>>();
    const { values } = await run(stage, [(await codec.encoder('orders'))(order(3))]);
    expect(values).toEqual([order(3)]);
  });
});

describe('registering on produce', () => {
  it('names subjects by topic, record, or topic and record', async () => {
    const registry = new MemorySchemaRegistry();
    await avro({ registry, schema: orderAvro, autoRegister: true }).encoder('orders');
    await avro({ registry, schema: orderAvro, autoRegister: true, subjectNaming: 'record' }).encoder('orders');
    await protobuf({ registry, schema: orderProto, autoRegister: true, subjectNaming: 'topic-record' }).encoder('orders');
    await jsonSchema({ registry, schema: orderJsonSchema, autoRegister: true, isKey: true }).encoder('orders');
    expect(registry.subjects()).toEqual(['orders-value', 'shop.Order', 'orders-shop.Order', 'orders-key']);
  });

  it('without autoRegister, needs the schema registered already', async () => {
    const registry = new MemorySchemaRegistry();
    await expect(avro({ registry, schema: orderAvro }).encoder('orders')).rejects.toThrow("not registered under subject 'orders-value'");
    await avro({ registry, schema: orderAvro, autoRegister: true }).encoder('orders');
    const encode = await avro({ registry, schema: orderAvro }).encoder('orders');
    expect(new DataView(encode(order(1)).buffer).getInt32(1)).toBe(1);
  });

  it('refuses a naming that needs a record name for an unnamed schema, naming the field', async () => {
    const registry = new MemorySchemaRegistry();
    const untitled = { type: 'object' };
    await expect(jsonSchema({ registry, schema: untitled, subjectNaming: 'record' }).encoder('orders')).rejects.toThrow(/^subjectNaming:/);
    expect(() => avro({ registry, subjectNaming: 'topic_name' as never })).toThrow("subjectNaming: 'topic_name' is not one of topic, record, topic-record");
  });
});
