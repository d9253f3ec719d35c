import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { avro, jsonSchema, protobuf } from './codec.ts';
import type { Order } from './testing.ts';
import { order, orderAvro, orderJsonSchema, orderProto } from './testing.ts';
import { MemorySchemaRegistry } from './memory.ts';
import type { RegistryCodec } from './codec.ts';
import type * as Kafkajs from '@kafkajs/confluent-schema-registry';

/**
 * The bytes checked against an independent implementation of the wire format, @kafkajs/confluent-schema-registry:
 * its client, given our schema under our id (its cache filled, so it makes no request), must write the same bytes
 * and read ours.
 */
const require = createRequire(import.meta.url);
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry') as typeof Kafkajs;
const { schemaFromConfluentSchema } = require('@kafkajs/confluent-schema-registry/dist/schemaTypeResolver') as {
  schemaFromConfluentSchema(schema: { type: string; schema: string }): unknown;
};

function kafkajsKnowing(id: number, type: 'AVRO' | 'JSON' | 'PROTOBUF', schema: string) {
  const registry = new SchemaRegistry({ host: 'http://127.0.0.1:9' });
  (registry.cache.setSchema as (id: number, type: string, schema: unknown) => void)(id, type, schemaFromConfluentSchema({ type, schema }));
  return registry;
}

async function ours(codec: RegistryCodec<Order>, value: Order) {
  const encode = await codec.encoder('orders');
  const bytes = encode(value);
  const schemaId = new DataView(bytes.buffer).getInt32(1);
  return { bytes, schemaId };
}

const decodeOne = <T>(codec: RegistryCodec<T>, bytes: Uint8Array): Promise<T> => codec.read(bytes);

describe('Schema Registry codecs, cross-checked with @kafkajs/confluent-schema-registry', () => {
  it('Avro: the same bytes both ways', async () => {
    const codec = avro<Order>({ registry: new MemorySchemaRegistry(), schema: orderAvro, autoRegister: true });
    const { bytes, schemaId } = await ours(codec, order(1));
    const theirs = kafkajsKnowing(schemaId, 'AVRO', JSON.stringify(orderAvro));
    expect(Buffer.from(bytes).equals(await theirs.encode(schemaId, order(1)))).toBe(true);
    expect({ ...(await theirs.decode(Buffer.from(bytes))) }).toEqual(order(1));
    expect({ ...(await decodeOne(codec, await theirs.encode(schemaId, order(2)))) }).toEqual(order(2));
  });

  it('JSON Schema: the same bytes both ways', async () => {
    const codec = jsonSchema<Order>({ registry: new MemorySchemaRegistry(), schema: orderJsonSchema, autoRegister: true });
    const { bytes, schemaId } = await ours(codec, order(1));
    const theirs = kafkajsKnowing(schemaId, 'JSON', JSON.stringify(orderJsonSchema));
    expect(Buffer.from(bytes).equals(await theirs.encode(schemaId, order(1)))).toBe(true);
    expect(await theirs.decode(Buffer.from(bytes))).toEqual(order(1));
    expect(await decodeOne(codec, await theirs.encode(schemaId, order(2)))).toEqual(order(2));
  });

  it('Protobuf: the message bytes match, with the message index Confluent requires before them', async () => {
    // @kafkajs/confluent-schema-registry writes no message indexes (it predates them) and skips leading zero bytes
    // when reading: so it reads our first-message frames, and its payload is ours without the index byte.
    const codec = protobuf<Order>({ registry: new MemorySchemaRegistry(), schema: orderProto, autoRegister: true });
    const { bytes, schemaId } = await ours(codec, order(1));
    const theirs = kafkajsKnowing(schemaId, 'PROTOBUF', orderProto);
    const theirBytes = await theirs.encode(schemaId, order(1));
    expect([...bytes]).toEqual([...theirBytes.subarray(0, 5), 0, ...theirBytes.subarray(5)]);
    expect((await theirs.decode(Buffer.from(bytes))).toJSON()).toEqual(order(1));
    expect(await decodeOne(codec, bytes)).toEqual(order(1));
  });

  it('Protobuf: nested and later messages carry their index path', async () => {
    const registry = new MemorySchemaRegistry();
    const refunds = protobuf<{ order_id: string; reason: { text: string } }>({ registry, schema: orderProto, messageName: 'shop.Refund', autoRegister: true });
    const reasons = protobuf<{ text: string }>({ registry, schema: orderProto, messageName: 'shop.Refund.Reason', autoRegister: true });
    const refund = (await refunds.encoder('refunds'))({ order_id: 'o-1', reason: { text: 'damaged' } });
    const reason = (await reasons.encoder('reasons'))({ text: 'late' });
    expect([...refund.subarray(5, 7)]).toEqual([2, 2]); // [1]
    expect([...reason.subarray(5, 8)]).toEqual([4, 2, 0]); // [1, 0]
    expect(await decodeOne(refunds, refund)).toEqual({ order_id: 'o-1', reason: { text: 'damaged' } });
    expect(await decodeOne(refunds, reason)).toEqual({ text: 'late' });
  });
});
