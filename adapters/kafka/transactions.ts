import type { Consumer } from '@platformatic/kafka';
import { TimeoutError, withDeadline } from '../../core/index.ts';
import type { BatchControl, Clock, Logger } from '../../core/index.ts';
import { brokenProducerState, isFenced, kafkaError } from './errors.ts';
import type { KafkaProducer, ProducerHolder } from './producer-holder.ts';
import type { KafkaMessage, KafkaOutbound } from './records.ts';

type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;
type KafkaTransaction = Awaited<ReturnType<KafkaProducer['beginTransaction']>>;

const transactionKey = Symbol('orchestron.kafka.transaction');

/**
 * Longest a transactional call may go unanswered. The client bounds a request it can see fail, but an answer lost on
 * a connection that stays open can leave a call pending for good, and with it the batch (and the pipeline) in flight.
 */
export const transactionCallTimeoutMs = 30_000;

/**
 * One Kafka transaction per batch (atomic mode): records produced by any stage and the consumer offsets commit together.
 * A producer left in a broken state (see brokenProducerState), or one a send failed on (the client has counted the
 * refused records' sequence numbers, so its next send to that partition would be refused as out of order), is
 * recreated between transactions, never reused.
 */
export class BatchTransactions {
  readonly #producers: ProducerHolder;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  /** Why the producer must be recreated before the next transaction begins. */
  #renewal: string | undefined;

  constructor(producers: ProducerHolder, logger: Logger, clock: Clock, timeoutMs = transactionCallTimeoutMs) {
    this.#producers = producers;
    this.#logger = logger;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
  }

  get #producer(): KafkaProducer {
    return this.#producers.current;
  }

  /** Notes a failed transactional call: a broken producer state, or any failed send, has the producer recreated. */
  #failed(error: unknown, sent: boolean): void {
    if (isFenced(error) || this.#renewal !== undefined) return;
    const broken = brokenProducerState(error);
    if (broken) this.#logger.warn({ reason: broken }, 'kafka producer left in a broken state; recreating it');
    // After a refused send the renewal is routine: the batch's abort is what the log shows.
    this.#renewal = broken ?? (sent ? `a send failed: ${kafkaError(error, 'produce').message}` : undefined);
  }

  async #renewIfBroken(): Promise<void> {
    const reason = this.#renewal;
    if (reason === undefined) return;
    this.#renewal = undefined;
    await this.#producers.renew(reason);
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
    await this.#renewIfBroken();
    let transaction: KafkaTransaction;
    try {
      transaction = await this.answered('begin transaction', () => this.#producer.beginTransaction());
    } catch (error) {
      // The client keeps a half-begun transaction after a failed begin; clear it so the next batch can begin again.
      await this.#producer.transaction?.cancel().catch(() => {});
      this.#failed(error, false);
      throw kafkaError(error, 'begin transaction');
    }
    this.#producers.remember();
    control.attachments.set(transactionKey, transaction);
    return transaction;
  }

  /** Sends records in the batch's transaction (begun on first use); they become visible when it commits. */
  async send(control: BatchControl, messages: readonly KafkaOutbound[]): Promise<void> {
    const transaction = await this.of(control);
    try {
      await this.answered('produce in a transaction', () => transaction.send({ messages: [...messages] }));
    } catch (error) {
      this.#failed(error, true);
      throw kafkaError(error, `produce ${messages.length} records in a transaction`);
    }
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
      this.#failed(error, false);
      throw kafkaError(error, 'commit transaction');
    }
  }

  /**
   * Aborts the batch's transaction, if it began one. Fencing is rethrown (fatal), unless the producer is to be
   * recreated anyway; other failures reset the client's state. A producer found broken is recreated then (its new
   * epoch ends a transaction the abort could not).
   */
  async abort(control: BatchControl): Promise<void> {
    const transaction = control.attachments.get(transactionKey) as KafkaTransaction | undefined;
    if (transaction && !transaction.completed) {
      try {
        await this.answered('abort transaction', () => transaction.abort());
      } catch (thrown) {
        const error = kafkaError(thrown, 'abort transaction');
        // A coordinator that timed the transaction out answers an abort with the old epoch PRODUCER_FENCED too: when
        // the producer is to be recreated anyway, the new one's claim of that epoch tells the two apart.
        if (error.code === 'PRODUCER_FENCED' && this.#renewal === undefined) throw error;
        this.#failed(thrown, false);
        this.#logger.warn({ error: error.message }, 'transaction abort failed; the coordinator will time it out');
        await transaction.cancel().catch(() => {});
      }
    }
    await this.#renewIfBroken();
  }
}
