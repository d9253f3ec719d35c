// The worked example of docs/codecs.md: Avro orders in, priced orders out as Protobuf, bad records dead-lettered.
import * as v from 'valibot';
import { MemoryBroker, commit, deadLetter, decode, encodeText, memorySink, memorySource, pipeline, pipelineContext, produce, transform } from '../../core/index.ts';
import { avro, protobuf } from '../../adapters/schema-registry/index.ts';
import type { SchemaRegistryClient } from '../../adapters/schema-registry/index.ts';

/** The writer schema of the input topic (Avro). */
export const orderSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'quantity', type: 'int' },
    { name: 'unitPrice', type: 'double' },
  ],
};

/** The output topic's schema (Protobuf). */
export const pricedSchema = `syntax = "proto3";
package shop;
message PricedOrder {
  string orderId = 1;
  double total = 2;
}
`;

/** What the pipeline accepts, checked after decoding: the decoded type comes from here. */
const Order = v.object({ orderId: v.string(), quantity: v.pipe(v.number(), v.minValue(1)), unitPrice: v.number() });
type PricedOrder = { orderId: string; total: number };

export interface ExampleSummary {
  readonly priced: PricedOrder[];
  readonly deadLetters: { readonly category: string; readonly message: string }[];
  readonly subjects: string[];
}

export async function runSchemaRegistryExample(registry: SchemaRegistryClient, subjects: () => string[] = () => []): Promise<ExampleSummary> {
  const broker = new MemoryBroker({ defaultPartitions: 1 });

  // Producer side: the writer schema is registered under `orders-value` (topic naming) on first use.
  const orders = avro({ registry, schema: orderSchema, autoRegister: true });
  const writeOrder = await orders.encoder('orders');
  const values = [
    writeOrder({ orderId: 'o-1', quantity: 2, unitPrice: 9.5 }),
    writeOrder({ orderId: 'o-2', quantity: 0, unitPrice: 3 }), // breaks the Order schema: VALIDATION_ERROR
    encodeText('{"orderId":"o-3"}'), // plain JSON, not the wire format: DESERIALIZATION_ERROR
    writeOrder({ orderId: 'o-4', quantity: 1, unitPrice: 20 }),
  ];
  broker.append(values.map((value, i) => ({ topic: 'orders', key: encodeText(`k${i}`), value })));

  // Consumer side: each record names its writer schema by id; `decode` fetches and caches it.
  const priced = protobuf<PricedOrder>({ registry, schema: pricedSchema, autoRegister: true });
  const sink = memorySink(broker);
  const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: 'pricing' });
  const run = pipeline(
    memorySource(broker, { topics: ['orders'], group: 'pricing', context, stopWhenIdle: true }),
    decode(orders, { schema: Order }),
    transform((order) => ({ orderId: order.orderId, total: order.quantity * order.unitPrice })),
    produce(sink, { topic: 'orders-priced', encode: await priced.encoder('orders-priced') }),
    deadLetter(sink),
    commit(),
  );
  for await (const _ of run);

  // The output read back with the same codec, outside a pipeline.
  const header = (headers: ReadonlyMap<string, Uint8Array>, name: string) => new TextDecoder().decode(headers.get(name));
  return {
    priced: await Promise.all(broker.records('orders-priced').map((record) => priced.read(record.value))),
    deadLetters: broker.records('orders-dlq').map((record) => ({
      category: header(record.headers, 'error_category'),
      message: header(record.headers, 'error_message'),
    })),
    subjects: subjects(),
  };
}
