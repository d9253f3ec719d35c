// The chaos scenarios' input, on any broker (shared or private): numbered events, produced and acknowledged (fresh topics
// come from adapters/kafka/testing.ts's freshTopics, with the broker as its last argument).
import { Producer, stringSerializer } from '@platformatic/kafka';
import { unique } from '../adapters/kafka/testing.ts';
import type { ChaosEvent } from './worker/config.ts';

export interface InputRecord {
  readonly key: string;
  /** A JSON value, or a string sent as it is (e.g. invalid JSON). */
  readonly value: unknown;
}

/** `count` events `{ id, seq }` keyed over `keys` keys. */
export const events = (count: number, keys = 101): InputRecord[] =>
  Array.from({ length: count }, (_, id) => ({ key: `k${id % keys}`, value: { id, seq: id } satisfies ChaosEvent }));

const toMessage = (topic: string, record: InputRecord) => ({
  topic,
  key: Buffer.from(record.key),
  value: Buffer.from(typeof record.value === 'string' ? record.value : JSON.stringify(record.value)),
});

/** Produces with an idempotent producer in chunks and returns once every record is acknowledged. */
export async function produce(brokers: string, topic: string, records: readonly InputRecord[]): Promise<void> {
  const producer = new Producer({ clientId: unique('chaos-producer'), bootstrapBrokers: [brokers], idempotent: true, serializers: { headerKey: stringSerializer } });
  try {
    for (let i = 0; i < records.length; i += 2_000) {
      await producer.send({ messages: records.slice(i, i + 2_000).map((record) => toMessage(topic, record)) });
    }
  } finally {
    await producer.close();
  }
}
