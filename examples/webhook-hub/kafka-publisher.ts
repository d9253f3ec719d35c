import { Producer, compatibilityPartitioner, stringSerializer } from '@platformatic/kafka';
import { TimeoutError } from '../../core/index.ts';
import type { OrchestronError } from '../../core/index.ts';
import { kafkaError } from '../../adapters/kafka/index.ts';
import type { OutboundMessage, PublishResult, Publisher } from './publisher.ts';

export interface KafkaPublisherOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Longest wait for an acknowledgement; past it the send counts as failed (and may still land: at-least-once). */
  readonly timeoutMs: number;
}

const toRecord = (m: OutboundMessage) => ({
  topic: m.topic,
  key: Buffer.from(m.key),
  value: Buffer.from(m.value),
  headers: new Map(Object.entries(m.headers).map(([name, value]) => [name, Buffer.from(value)] as const)),
});

/**
 * Publishes through an idempotent producer (acks from all in-sync replicas), partitioned like the Java client.
 * A batch the broker refuses for good is sent again record by record, so one bad record does not fail the others.
 */
export class KafkaPublisher implements Publisher {
  readonly #producer: Producer<Buffer, Buffer, string, Buffer>;
  readonly #timeoutMs: number;

  constructor(options: KafkaPublisherOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#producer = new Producer({
      clientId: options.clientId,
      bootstrapBrokers: [...options.brokers],
      idempotent: true,
      autocreateTopics: true,
      partitioner: compatibilityPartitioner,
      serializers: { headerKey: stringSerializer },
    });
  }

  async publish(messages: readonly OutboundMessage[]): Promise<PublishResult[]> {
    if (messages.length === 0) return [];
    const batch = await this.#send(messages);
    if (batch === undefined) return messages.map(() => ({ ok: true }));
    if (batch.retryable || messages.length === 1) return messages.map(() => failure(batch));
    return Promise.all(messages.map(async (message) => {
      const error = await this.#send([message]);
      return error === undefined ? { ok: true } : failure(error);
    }));
  }

  async close(): Promise<void> {
    await this.#producer.close();
  }

  /** Undefined once acknowledged, else why not. */
  async #send(messages: readonly OutboundMessage[]): Promise<OrchestronError | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const sending = this.#producer.send({ messages: messages.map(toRecord) });
      // A send that outlives its deadline settles later; its outcome no longer matters.
      sending.catch(() => {});
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`no acknowledgement from the broker within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      });
      await Promise.race([sending, deadline]);
      return undefined;
    } catch (error) {
      return error instanceof TimeoutError ? error : kafkaError(error, 'publish');
    } finally {
      clearTimeout(timer);
    }
  }
}

const failure = (error: OrchestronError): PublishResult => ({ ok: false, error: error.message, retryable: error.retryable });
