import { Producer } from '@platformatic/kafka';
import type { MessageToProduce } from '@platformatic/kafka';
import { LatencyHistogram } from './histogram.ts';
import { bytesOf } from './record-source.ts';
import type { RecordSource } from './record-source.ts';
import { ID_HEADER, SENT_AT_HEADER, keyOf, preciseNow, recordIdOf } from './records.ts';

type Message = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

export interface SoakProducerOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly messages: number;
  readonly partitions: number;
  /** Records per second on a fixed schedule (open loop); absent: as fast as the broker takes them. */
  readonly rate?: number;
  /** Most records in one produce request. */
  readonly chunk?: number;
  /** The records' keys, values and headers; the soak adds its id and send-time headers. */
  readonly records: RecordSource;
}

/** Open loop: record `index` is due at `start + index / rate` seconds; the count due by `elapsedMs`, capped at `total`. */
export const dueBy = (elapsedMs: number, rate: number, total: number): number =>
  Math.min(total, Math.floor((elapsedMs * rate) / 1000) + 1);

/**
 * Writes the run's records into the input topic: record i on partition i % partitions, with its id (records.ts) and its
 * send time in headers beside the record's own. With a rate the send times are the scheduled ones, so a producer or broker that falls behind adds
 * to the measured latency instead of hiding it (no coordinated omission). One request in flight at a time (the
 * producer is idempotent); records that fall due meanwhile go together in the next request.
 */
export class SoakProducer {
  readonly options: SoakProducerOptions;
  produced = 0;
  firstSentAt: number | undefined;
  lastAckedAt: number | undefined;
  /**
   * From each record's send-time header to the broker's acknowledgement of its request: the producer's share of the
   * measured latency (an upper bound: the broker makes records readable before its answer arrives). With a rate it
   * includes the wait for the request in flight, since records that fall due meanwhile go in the next one.
   */
  readonly ackLatency = new LatencyHistogram();
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;

  constructor(options: SoakProducerOptions) {
    this.options = options;
    this.#producer = new Producer({
      clientId: 'orchestron-soak-producer',
      bootstrapBrokers: [...options.brokers],
      idempotent: true,
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
    const records = await this.options.records.take(from, to);
    const batch: Message[] = new Array(to - from);
    const sentAts: number[] = new Array(to - from);
    for (let index = from; index < to; index++) {
      const record = records[index - from];
      const headers = new Map<Buffer, Buffer>();
      for (const [name, value] of Object.entries(record?.headers ?? {})) headers.set(Buffer.from(name), bytesOf(value) as Buffer);
      headers.set(Buffer.from(ID_HEADER), Buffer.from(keyOf(recordIdOf(index, partitions))));
      const at = sentAt(index);
      sentAts[index - from] = at;
      headers.set(Buffer.from(SENT_AT_HEADER), Buffer.from(at.toFixed(3)));
      const key = bytesOf(record?.key);
      const value = bytesOf(record?.value);
      batch[index - from] = { topic, partition: index % partitions, ...(key ? { key } : {}), ...(value ? { value } : {}), headers };
    }
    this.firstSentAt ??= preciseNow();
    await this.#producer.send({ messages: batch });
    this.produced = to;
    const ackedAt = preciseNow();
    this.lastAckedAt = ackedAt;
    for (const at of sentAts) this.ackLatency.recordMs(ackedAt - at);
  }
}
