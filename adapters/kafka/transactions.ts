import type { Consumer } from '@platformatic/kafka';
import { SinkError, TimeoutError, withDeadline } from '../../core/index.ts';
import type { BatchControl, Clock, Logger, TimerHandle } from '../../core/index.ts';
import { brokenProducerState, isFenced, kafkaError } from './errors.ts';
import type { KafkaProducer, ProducerHolder } from './producer-holder.ts';
import type { KafkaMessage, KafkaOutbound } from './records.ts';
import { TransactionSpan } from './transaction-span.ts';

type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;
type KafkaTransaction = Awaited<ReturnType<KafkaProducer['beginTransaction']>>;

const spanKey = Symbol('orchestron.kafka.transaction-span');

/**
 * Longest a transactional call may go unanswered. The client bounds a request it can see fail, but an answer lost on
 * a connection that stays open can leave a call pending for good, and with it the batch (and the pipeline) in flight.
 */
export const transactionCallTimeoutMs = 30_000;

export interface BatchTransactionsOptions {
  /** Longest a call may go unanswered; default transactionCallTimeoutMs. */
  readonly callTimeoutMs?: number;
  /** How long a transaction takes in batches after it began (the commit interval); 0: one batch per transaction. */
  readonly intervalMs?: number;
  /** The consumer whose offsets go into the transactions; needed once a batch commits offsets. */
  readonly consumer?: KafkaConsumer;
}

/** Most batches in one transaction: fewer than the commit stage lets settle at once, so that every member reaches it. */
export const maxBatchesPerTransaction = 16;

/** Why a batch of a transaction that another batch failed is read again. */
const sharedFailure = (cause: unknown) =>
  new SinkError(`another batch in the same transaction failed (${cause instanceof Error ? cause.message : String(cause)}); every batch in it will be read again`, {
    cause,
    retryable: true,
  });

/**
 * Kafka transactions for batches (atomic mode): records produced by any stage and the consumer offsets commit together.
 * One transaction spans the batches processed within `intervalMs` of its begin (see TransactionSpan): it commits once
 * the interval has passed and every batch in it is done, with each partition's newest offset; a failure of any of
 * them aborts it, and every batch in it is read again. Batches that come while it commits wait for the next one only
 * to send. A producer left in a broken state (see brokenProducerState), or one a send failed on (the client has counted
 * the refused records' sequence numbers, so its next send to that partition would be refused as out of order), is
 * recreated between transactions, never reused.
 */
export class BatchTransactions {
  readonly #producers: ProducerHolder;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #intervalMs: number;
  /** Why the producer must be recreated before the next transaction begins. */
  #renewal: string | undefined;
  /** The transaction open now (or committing, or aborting): one at a time per producer. */
  #span: TransactionSpan<KafkaTransaction> | undefined;
  /** Its end (committed or aborted, the producer renewed if it had to be): a new transaction begins after it. */
  #spanEnded: Promise<void> = Promise.resolve();
  #ended: () => void = () => {};
  #timer: TimerHandle | undefined;
  #beginning: Promise<void> | undefined;
  readonly #consumer: KafkaConsumer | undefined;
  /** Whether this producer's transactional id was claimed (see claim). */
  #claimed = false;

  constructor(producers: ProducerHolder, logger: Logger, clock: Clock, options: BatchTransactionsOptions = {}) {
    this.#producers = producers;
    this.#logger = logger;
    this.#clock = clock;
    this.#timeoutMs = options.callTimeoutMs ?? transactionCallTimeoutMs;
    this.#intervalMs = options.intervalMs ?? 0;
    this.#consumer = options.consumer;
  }

  /**
   * Claims the transactional id now (Kafka's InitProducerId, which the client otherwise sends with the first
   * transaction): a predecessor with this id (the same instance before a crash) is fenced and its open transaction
   * aborted. Until then that transaction's offsets are pending, and the stable offsets every instance reads before
   * its first batch (see stable-offsets.ts) wait for them: a restarted instance would wait for its own predecessor
   * until the coordinator timed the transaction out.
   */
  async claim(): Promise<void> {
    if (this.#claimed || this.#span || this.#beginning) return;
    await (this.#beginning = (async () => {
      try {
        const transaction = await this.answered('begin transaction', () => this.#producer.beginTransaction());
        // Nothing was added to it: the client forgets it without asking the broker.
        await transaction.cancel();
        this.#producers.remember();
        this.#claimed = true;
      } catch (error) {
        await this.#producer.transaction?.cancel().catch(() => {});
        this.#failed(error, false);
        throw kafkaError(error, 'claim the transactional id');
      }
    })().finally(() => (this.#beginning = undefined)));
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

  /** The transaction the batch is in: the open one, or, when that one is closed, the next (begun on first use). */
  async of(control: BatchControl): Promise<KafkaTransaction> {
    return (await this.#join(control)).transaction;
  }

  async #join(control: BatchControl): Promise<TransactionSpan<KafkaTransaction>> {
    for (;;) {
      const joined = control.attachments.get(spanKey) as TransactionSpan<KafkaTransaction> | undefined;
      if (joined) {
        if (joined.failure !== undefined) throw joined.failure;
        return joined;
      }
      const span = this.#span;
      if (span && !span.closed) {
        span.add(control);
        control.attachments.set(spanKey, span);
        if (span.size >= maxBatchesPerTransaction) this.#close(span);
        continue;
      }
      if (span) await this.#spanEnded;
      else await (this.#beginning ??= this.#begin().finally(() => (this.#beginning = undefined)));
    }
  }

  async #begin(): Promise<void> {
    await this.#spanEnded;
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
    const span = new TransactionSpan(transaction);
    this.#spanEnded = new Promise<void>((resolve) => (this.#ended = resolve));
    this.#span = span;
    this.#timer = this.#clock.setTimer(() => this.#close(span), this.#intervalMs);
  }

  /** The span committed or was aborted: the next transaction may begin. */
  #finish(span: TransactionSpan<KafkaTransaction>): void {
    if (this.#span !== span) return;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#span = undefined;
    this.#ended();
  }

  /** No batch joins the span after this; it commits once every batch in it is ready. */
  #close(span: TransactionSpan<KafkaTransaction>): void {
    span.close();
    this.#commitIfDue(span);
  }

  /** Sends records in the batch's transaction; they become visible when it commits. */
  async send(control: BatchControl, messages: readonly KafkaOutbound[]): Promise<void> {
    const span = await this.#join(control);
    try {
      await span.sending(this.answered('produce in a transaction', () => span.transaction.send({ messages: [...messages] })));
    } catch (error) {
      this.#failed(error, true);
      // The client counted the refused records' sequence numbers: a later batch sending to that partition with this
      // producer would be refused as out of order. The batch may still commit (a refused record dead-lettered alone);
      // the batches after it wait for the next transaction and the recreated producer.
      this.#close(span);
      throw kafkaError(error, `produce ${messages.length} records in a transaction`);
    }
  }

  /**
   * The batch is done: its offsets (the record after each partition's last one) go into its transaction, which commits
   * once its interval has passed and its other batches are done too. Resolves when it committed. `stillOwned` throws
   * when the batch's partitions moved to another instance: it runs right before the offsets are sent, since a rebalance
   * can come while the transaction waits for its interval, and the new owner would then process the records too.
   */
  async commit(control: BatchControl, lastMessages: readonly KafkaMessage[], stillOwned?: () => void): Promise<void> {
    const span = await this.#join(control);
    span.ready(control, lastMessages, stillOwned);
    if (this.#intervalMs === 0) span.close();
    this.#commitIfDue(span);
    await span.outcome;
  }

  #commitIfDue(span: TransactionSpan<KafkaTransaction>): void {
    if (!span.due || span.ending) return;
    span.ending = this.#commitSpan(span);
    // Awaited by the batches' aborts when it fails.
    span.ending.catch(() => {});
  }

  async #commitSpan(span: TransactionSpan<KafkaTransaction>): Promise<void> {
    const transaction = span.transaction;
    const consumer = this.#consumer;
    const offsets = span.lastMessages();
    try {
      span.checkOwnership();
      if (offsets.length > 0) {
        if (!consumer) throw new SinkError('a transaction with consumer offsets needs the consumer (BatchTransactions options)', { retryable: false });
        await this.answered('add the group to the transaction', () => transaction.addConsumer(consumer));
        // One at a time: the client merges concurrent offset calls of one transaction.
        for (const message of offsets) await this.answered('add offsets to the transaction', () => transaction.addOffset(message));
      }
      await this.answered('commit transaction', () => transaction.commit());
    } catch (error) {
      this.#failed(error, false);
      // Each batch is told why; the batches abort (see abort), which waits for this abort.
      span.fail(kafkaError(error, 'commit transaction'));
      await this.#abortSpan(span);
      return;
    }
    span.committed();
    this.#finish(span);
  }

  /**
   * Aborts the batch's transaction (for `error`), if it joined one, and with it every batch in it. Fencing is rethrown (fatal),
   * unless the producer is to be recreated anyway; other failures reset the client's state. A producer found broken is
   * recreated then (its new epoch ends a transaction the abort could not).
   */
  async abort(control: BatchControl, error?: unknown): Promise<void> {
    const span = control.attachments.get(spanKey) as TransactionSpan<KafkaTransaction> | undefined;
    if (!span) {
      await this.#renewIfBroken();
      return;
    }
    // The other batches are told why (the first failure wins: a batch aborted as a companion changes nothing).
    span.fail(sharedFailure(error ?? 'a batch was aborted'));
    span.ending ??= this.#abortSpan(span);
    await span.ending;
  }

  async #abortSpan(span: TransactionSpan<KafkaTransaction>): Promise<void> {
    const transaction = span.transaction;
    try {
      // The client would otherwise abort under a send still waiting for its answer.
      await span.quiet();
      if (transaction.completed) return;
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
    } finally {
      await this.#renewIfBroken().catch((error: unknown) => this.#logger.warn({ error: String(error) }, 'kafka producer could not be recreated'));
      this.#finish(span);
    }
  }
}
