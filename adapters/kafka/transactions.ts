import type { Consumer, Producer } from '@platformatic/kafka';
import { TimeoutError, withDeadline } from '../../core/index.ts';
import type { BatchControl, Clock, Logger } from '../../core/index.ts';
import { kafkaError } from './errors.ts';
import type { KafkaMessage } from './records.ts';

type KafkaProducer = Producer<Buffer, Buffer, string, Buffer>;
type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;
type KafkaTransaction = Awaited<ReturnType<KafkaProducer['beginTransaction']>>;

const transactionKey = Symbol('orchestron.kafka.transaction');

/**
 * Longest a transactional call may go unanswered. The client bounds a request it can see fail, but an answer lost on
 * a connection that stays open can leave a call pending for good, and with it the batch (and the pipeline) in flight.
 */
export const transactionCallTimeoutMs = 30_000;

/** One Kafka transaction per batch (atomic mode): records produced by any stage and the consumer offsets commit together. */
export class BatchTransactions {
  readonly #producer: KafkaProducer;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #timeoutMs: number;

  constructor(producer: KafkaProducer, logger: Logger, clock: Clock, timeoutMs = transactionCallTimeoutMs) {
    this.#producer = producer;
    this.#logger = logger;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  /** `call`, failing with a retryable TimeoutError when it is not answered in time (the batch is then aborted). */
  answered<T>(what: string, call: () => Promise<T>): Promise<T> {
    return Promise.resolve(
      withDeadline(this.#clock, this.#timeoutMs, call, () => new TimeoutError(`kafka did not answer ${what} within ${this.#timeoutMs} ms`)),
    );
  }

  /** The batch's transaction, begun on first use. */
  async of(control: BatchControl): Promise<KafkaTransaction> {
    const open = control.attachments.get(transactionKey) as KafkaTransaction | undefined;
    if (open) return open;
    let transaction: KafkaTransaction;
    try {
      transaction = await this.answered('begin transaction', () => this.#producer.beginTransaction());
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
      await this.answered('add the group to the transaction', () => transaction.addConsumer(consumer));
      // One at a time: the client merges concurrent offset calls of one transaction.
      for (const message of lastMessages) await this.answered('add offsets to the transaction', () => transaction.addOffset(message));
      await this.answered('commit transaction', () => transaction.commit());
    } catch (error) {
      throw kafkaError(error, 'commit transaction');
    }
  }

  /** Aborts the batch's transaction, if it began one. Fencing is rethrown (fatal); other failures reset the client's state. */
  async abort(control: BatchControl): Promise<void> {
    const transaction = control.attachments.get(transactionKey) as KafkaTransaction | undefined;
    if (!transaction || transaction.completed) return;
    try {
      await this.answered('abort transaction', () => transaction.abort());
    } catch (thrown) {
      const error = kafkaError(thrown, 'abort transaction');
      if (error.code === 'PRODUCER_FENCED') throw error;
      this.#logger.warn({ error: error.message }, 'transaction abort failed; the coordinator will time it out');
      await transaction.cancel().catch(() => {});
    }
  }
}
