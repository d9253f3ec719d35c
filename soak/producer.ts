import { Producer, stringSerializers } from '@platformatic/kafka';
import type { MessageToProduce } from '@platformatic/kafka';
import { SENT_AT_HEADER, keyOf, preciseNow, recordIdOf, valueOf } from './records.ts';

type Message = MessageToProduce<string, string, string, string>;

export interface SoakProducerOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly messages: number;
  readonly partitions: number;
  /** Records per second on a fixed schedule (open loop); absent: as fast as the broker takes them. */
  readonly rate?: number;
  /** Most records in one produce request. */
  readonly chunk?: number;
}

/** Open loop: record `index` is due at `start + index / rate` seconds; the count due by `elapsedMs`, capped at `total`. */
export const dueBy = (elapsedMs: number, rate: number, total: number): number =>
  Math.min(total, Math.floor((elapsedMs * rate) / 1000) + 1);

/**
 * Writes the run's records into the input topic: record i keyed by its id, on partition i % partitions, with its send
 * time in a header. With a rate the send times are the scheduled ones, so a producer or broker that falls behind adds
 * to the measured latency instead of hiding it (no coordinated omission). One request in flight at a time (the
 * producer is idempotent); records that fall due meanwhile go together in the next request.
 */
export class SoakProducer {
  readonly options: SoakProducerOptions;
  produced = 0;
  firstSentAt: number | undefined;
  lastAckedAt: number | undefined;
  readonly #producer: Producer<string, string, string, string>;

  constructor(options: SoakProducerOptions) {
    this.options = options;
    this.#producer = new Producer({
      clientId: 'orchestron-soak-producer',
      bootstrapBrokers: [...options.brokers],
      idempotent: true,
      serializers: stringSerializers,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const { messages, rate } = this.options;
    const chunk = this.options.chunk ?? 1_000;
    const start = preciseNow();
    while (this.produced < messages && !signal.aborted) {
      if (rate === undefined) {
        await this.#send(this.produced, Math.min(messages, this.produced + chunk), () => preciseNow());
        continue;
      }
      const due = dueBy(preciseNow() - start, rate, messages);
      if (due <= this.produced) {
        const nextAt = start + (this.produced * 1000) / rate;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextAt - preciseNow())));
        continue;
      }
      await this.#send(this.produced, Math.min(due, this.produced + chunk * 4), (index) => start + (index * 1000) / rate);
    }
  }

  async close(): Promise<void> {
    await this.#producer.close();
  }

  async #send(from: number, to: number, sentAt: (index: number) => number): Promise<void> {
    const { topic, partitions } = this.options;
    const batch: Message[] = new Array(to - from);
    for (let index = from; index < to; index++) {
      const id = recordIdOf(index, partitions);
      batch[index - from] = {
        topic,
        partition: id.partition,
        key: keyOf(id),
        value: valueOf(id),
        headers: new Map([[SENT_AT_HEADER, sentAt(index).toFixed(3)]]),
      };
    }
    this.firstSentAt ??= preciseNow();
    await this.#producer.send({ messages: batch });
    this.produced = to;
    this.lastAckedAt = preciseNow();
  }
}
