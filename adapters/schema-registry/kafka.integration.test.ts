// End to end through Kafka and the registry `npm run services:up` starts: Avro records in, decoded in a pipeline,
// produced as Protobuf, a bad record dead-lettered.
import { Producer } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders, commit, deadLetter, decode, pipeline, pipelineContext, produce } from '../../core/index.ts';
import { brokers, freshTopics, readTopic, unique } from '../kafka/testing.ts';
import { KafkaTransport } from '../kafka/transport.ts';
import { avro, protobuf } from './codec.ts';
import type { Order } from './testing.ts';
import { order, orderAvro, orderProto } from './testing.ts';
import { SchemaRegistry } from './registry.ts';
import { frame } from './wire.ts';

async function send(topic: string, values: readonly Uint8Array[]): Promise<void> {
  const producer = new Producer({ clientId: unique('sr-producer'), bootstrapBrokers: brokers });
  try {
    await producer.send({ messages: values.map((value, i) => ({ topic, key: Buffer.from(`k${i}`), value: Buffer.from(value) })) });
  } finally {
    await producer.close();
  }
}

describe('Schema Registry codecs through Kafka', () => {
  it('decodes Avro in a pipeline, produces Protobuf, and dead-letters a record naming its schema id', async () => {
    const count = 20;
    const topics = await freshTopics('schema-registry', 1);
    const [input, output] = [topics.in as string, topics.out as string];
    const url = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v6';
    const registry = new SchemaRegistry({ url });
    const orders = avro<Order>({ registry, schema: orderAvro, autoRegister: true });
    const writeAvro = await orders.encoder(input);
    const schemaId = new DataView(writeAvro(order(0)).buffer).getInt32(1);
    await send(input, [...Array.from({ length: count }, (_, i) => writeAvro(order(i))), frame(schemaId, new Uint8Array([0xff]))]);

    const toProtobuf = protobuf<Order>({ registry, schema: orderProto, autoRegister: true });
    const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: unique('g') });
    const transport = new KafkaTransport({ brokers, groupId: context.consumerGroup, topics: [input], instanceId: unique('i'), context });
    const stop = new AbortController();
    let done = 0;
    const run = pipeline(
      transport.source(stop.signal),
      decode(orders),
      produce(transport.sink, { topic: output, encode: await toProtobuf.encoder(output) }),
      deadLetter(transport.sink),
      commit(),
    );
    const watchdog = setTimeout(() => stop.abort(), 60_000);
    try {
      for await (const result of run) {
        if (result.committed) done += result.ok + result.dropped['dead-lettered'];
        if (done >= count + 1) stop.abort();
      }
    } finally {
      clearTimeout(watchdog);
      await transport.close();
    }
    expect(await (await fetch(`${url}/subjects`)).json()).toEqual(expect.arrayContaining([`${input}-value`, `${output}-value`]));

    const produced = await readTopic(output, count);
    expect(await Promise.all(produced.map((m) => toProtobuf.read(m.value)))).toEqual(Array.from({ length: count }, (_, i) => order(i)));

    const [dead] = await readTopic(`${input}-dlq`, 1);
    expect(dead?.headers.get(DeadLetterHeaders.category)?.toString()).toBe('DESERIALIZATION_ERROR');
    expect(dead?.headers.get(DeadLetterHeaders.message)?.toString()).toContain(`schema id ${schemaId}: invalid avro payload`);
  }, 90_000);
});
