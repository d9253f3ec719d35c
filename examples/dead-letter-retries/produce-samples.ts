import { Producer } from '@platformatic/kafka';
import type { SampleOrder } from './samples.ts';

/** The example's upstream: writes the sample orders to the input topic and returns once the broker has them all. */
export async function produceSamples(brokers: readonly string[], topic: string, samples: readonly SampleOrder[]): Promise<void> {
  const producer = new Producer({ clientId: 'dead-letter-retries-samples', bootstrapBrokers: [...brokers], idempotent: true, autocreateTopics: true });
  try {
    await producer.send({ messages: samples.map((s) => ({ topic, key: Buffer.from(s.key), value: Buffer.from(s.value) })) });
  } finally {
    await producer.close();
  }
}
