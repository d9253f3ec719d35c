import type { Consumer, Producer } from '@platformatic/kafka';
import type { BatchControl, Logger } from '../../core/index.ts';
import { kafkaError } from './errors.ts';
import type { KafkaMessage } from './records.ts';

type KafkaProducer = Producer<Buffer, Buffer, string, Buffer>;
type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;
type KafkaTransaction = Awaited<ReturnType<KafkaProducer['beginTransaction']>>;

const transactionKey = Symbol('orchestron.kafka.transaction');

/** One Kafka transaction per batch (atomic mode): records produced by any stage and the consumer offsets commit together. */
export class BatchTransactions {
  readonly #producer: KafkaProducer;
  readonly #logger: Logger;

  constructor(producer: KafkaProducer, logger: Logger) {
    this.#producer = producer;
    this.#logger = logger;
  }

  /** The batch's transaction, begun on first use. */
  async of(control: BatchControl): Promise<KafkaTransaction> {
    const open = control.attachments.get(transactionKey) as KafkaTransaction | undefined;
    if (open) return open;
    let transaction: KafkaTransaction;
    try {
      transaction = await this.#producer.beginTransaction();
    } catch (error) {
      // The client keeps a half-begun transaction after a failed begin; clear it so the next batch can begin again.
      await this.#producer.transaction?.cancel().catch(() => {});
      throw kafkaError(error, 'begin transaction');
    }
    control.attachments.set(transactionKey, transaction);
    return transaction;
  }

  /** Sends the offsets after each partition's last record into the transaction, then commits it. */
  async commit(control: BatchControl, consumer: KafkaConsumer, lastMessages: readonly KafkaMessage[]): Promise<void> {
    const transaction = await this.of(control);
    try {
      await transaction.addConsumer(consumer);
      // One at a time: the client merges concurrent offset calls of one transaction.
      for (const message of lastMessages) await transaction.addOffset(message);
      await transaction.commit();
    } catch (error) {
      throw kafkaError(error, 'commit transaction');
    }
  }

  /** Aborts the batch's transaction, if it began one. Fencing is rethrown (fatal); other failures reset the client's state. */
  async abort(control: BatchControl): Promise<void> {
    const transaction = control.attachments.get(transactionKey) as KafkaTransaction | undefined;
    if (!transaction || transaction.completed) return;
    try {
      await transaction.abort();
    } catch (thrown) {
      const error = kafkaError(thrown, 'abort transaction');
      if (error.code === 'PRODUCER_FENCED') throw error;
      this.#logger.warn({ error: error.message }, 'transaction abort failed; the coordinator will time it out');
      await transaction.cancel().catch(() => {});
    }
  }
}
