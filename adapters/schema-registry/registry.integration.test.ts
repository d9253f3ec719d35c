// Against a real Confluent-compatible registry: SCHEMA_REGISTRY_URL, as `npm run services:up` prints it (Apicurio
// Registry, docs/services.md). Each test registers under subjects of its own.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type * as Kafkajs from '@kafkajs/confluent-schema-registry';
import { decode, pipeline } from '../../core/index.ts';
import { collect, harness, record } from '../../core/testing/fixtures.ts';
import { unique } from '../kafka/testing.ts';
import { avro, jsonSchema, protobuf } from './codec.ts';
import type { Order } from './testing.ts';
import { order, orderAvro, orderJsonSchema, orderProto } from './testing.ts';
import { SchemaRegistry } from './registry.ts';

const url = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v6';
const require = createRequire(import.meta.url);
const { SchemaRegistry: KafkajsRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry') as typeof Kafkajs;

async function decodeAll<T>(stage: ReturnType<typeof decode<T>>, values: Uint8Array[]) {
  const { broker, source } = harness('skip-and-log');
  broker.createTopic('in', 1);
  broker.append(values.map((value, i) => record('in', `k${i}`, value)));
  const batches = await collect(pipeline(source(['in'], { batchSize: 100 }), stage));
  return { values: batches.flatMap((b) => b.records.map((r) => r.value)), dropped: batches.flatMap((b) => b.dropped), failure: batches[0]?.failure };
}

describe('Schema Registry codecs against a real registry', () => {
  const registry = () => new SchemaRegistry({ url: url });

  it('registers, encodes and decodes the three formats, and @kafkajs/confluent-schema-registry reads the same bytes', async () => {
    const theirs = new KafkajsRegistry({ host: url });
    const cases = [
      { codec: avro<Order>({ registry: registry(), schema: orderAvro, autoRegister: true }), readable: true },
      { codec: jsonSchema<Order>({ registry: registry(), schema: orderJsonSchema, autoRegister: true }), readable: true },
      { codec: protobuf<Order>({ registry: registry(), schema: orderProto, autoRegister: true }), readable: false },
    ];
    for (const { codec, readable } of cases) {
      const encode = await codec.encoder(unique('orders'));
      const bytes = [encode(order(1)), encode(order(2))];
      const { values, dropped } = await decodeAll(decode(codec), bytes);
      expect(dropped).toEqual([]);
      expect(values.map((v) => ({ ...(v as Order) }))).toEqual([order(1), order(2)]);
      // Its Protobuf reader predates message indexes: it is checked byte for byte in cross-check.test.ts instead.
      if (readable) expect({ ...(await theirs.decode(Buffer.from(bytes[0] as Uint8Array))) }).toEqual(order(1));
    }
  });

  it('decodes what @kafkajs/confluent-schema-registry registered and wrote', async () => {
    const theirs = new KafkajsRegistry({ host: url });
    const subject = `${unique('theirs')}-value`;
    const { id } = await theirs.register({ type: SchemaType.AVRO, schema: JSON.stringify(orderAvro) }, { subject });
    const { values } = await decodeAll(decode(avro<Order>({ registry: registry() })), [await theirs.encode(id, order(3))]);
    expect({ ...(values[0] as Order) }).toEqual(order(3));
  });

  it('dead-letters a record whose schema id the registry answers 404 for, not retryable', async () => {
    const { dropped, failure } = await decodeAll(decode(avro({ registry: registry() })), [Uint8Array.from([0, 0x7f, 0xff, 0xff, 0xf0, 2, 0x61])]);
    expect(failure).toBeUndefined();
    expect(dropped.map((d) => [d.error?.code, d.error?.retryable, d.error?.message])).toEqual([
      ['DESERIALIZATION_ERROR', false, `schema id ${0x7ffffff0}: not found in the schema registry`],
    ]);
  });

  it('without autoRegister, looks the schema up under its subject, and refuses one the subject does not hold', async () => {
    const topic = unique('lookup');
    const idOf = async (encode: (value: Order) => Uint8Array) => new DataView(encode(order(1)).buffer).getInt32(1);
    await expect(avro({ registry: registry(), schema: orderAvro }).encoder(topic)).rejects.toThrow(`not registered under subject '${topic}-value'`);
    const registered = await idOf(await avro<Order>({ registry: registry(), schema: orderAvro, autoRegister: true }).encoder(topic));
    expect(await idOf(await avro<Order>({ registry: registry(), schema: orderAvro }).encoder(topic))).toBe(registered);
  });

  it('registers under the subject each naming gives', async () => {
    const topic = unique('named');
    const namespaced = { ...orderAvro, namespace: topic.replace(/-/g, '_') };
    await avro({ registry: registry(), schema: namespaced, autoRegister: true, subjectNaming: 'record' }).encoder(topic);
    await avro({ registry: registry(), schema: namespaced, autoRegister: true, subjectNaming: 'topic-record' }).encoder(topic);
    const subjects = (await (await fetch(`${url}/subjects`)).json()) as string[];
    expect(subjects).toEqual(expect.arrayContaining([`${namespaced.namespace}.Order`, `${topic}-${namespaced.namespace}.Order`]));
  });
});
