// A custom consumer built from Orchestron's stages, soaked as it is: `orchestron soak --command "node consumer.ts"`.
// The soak names its topics and group in the environment; SIGTERM drains the batch in flight and exits 0.
// In your own project the imports are 'orchestron' and 'orchestron/kafka'.
import { commit, deadLetter, decode, json, pipeline, pipelineContext, produce, transform, ValidationError } from '../../core/index.ts';
import { KafkaTransport } from '../../adapters/kafka/index.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run me under orchestron soak --command`);
  return value;
};
const groupId = env('ORCHESTRON_SOAK_GROUP');
const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: groupId });
// Brokers and instance id from KAFKA_BROKERS and ORCHESTRON_INSTANCE_ID, which the soak sets.
const transport = new KafkaTransport({ groupId, topics: [env('ORCHESTRON_SOAK_INPUT_TOPIC')], failureMode: 'skip-and-log', context, env: process.env });
const stopping = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stopping.abort());

try {
  const results = pipeline(
    transport.source(stopping.signal),
    decode(json<{ readonly amount?: unknown }>()),
    transform((order) => {
      if (typeof order.amount !== 'number' || order.amount < 0) throw new ValidationError('amount must be a number ≥ 0');
      return { ...order, cents: Math.round(order.amount * 100) };
    }),
    // produce and deadLetter keep each record's headers, the soak's x-soak-id among them.
    produce(transport.sink, { topic: env('ORCHESTRON_SOAK_OUTPUT_TOPIC') }),
    deadLetter(transport.sink, { topic: env('ORCHESTRON_SOAK_DEAD_LETTER_TOPIC') }),
    commit(),
  );
  for await (const result of results) void result;
} finally {
  await transport.close();
}
