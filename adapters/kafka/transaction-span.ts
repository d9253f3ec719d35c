import type { BatchControl } from '../../core/index.ts';
import { floorKey } from './stable-offsets.ts';
import type { KafkaMessage } from './records.ts';

/**
 * The batches that share one Kafka transaction, and where each stands: a batch joins when it first sends (or commits);
 * it is ready once its stages are done and its offsets are known. The transaction commits when the span is closed (its
 * interval passed, or it is full) and every member is ready: records of a batch whose offsets are not in the
 * transaction must never commit. One member's failure fails them all.
 */
export class TransactionSpan<T> {
  readonly transaction: T;
  readonly #members = new Set<BatchControl>();
  /** Per partition, the record after which the transaction's offset goes: the newest of the ready members'. */
  readonly #offsets = new Map<string, KafkaMessage>();
  readonly #ready = new Set<BatchControl>();
  /** The members' checks that their partitions are still theirs, run right before the transaction's offsets go. */
  readonly #checks: (() => void)[] = [];
  readonly #sends = new Set<Promise<unknown>>();
  #closed = false;
  #committed = false;
  #failure: unknown;
  #settle!: { resolve: () => void; reject: (error: unknown) => void };
  /** Resolves once the transaction committed; rejects with the failure that ended it. */
  readonly outcome: Promise<void>;
  /** Its commit, or its abort: started once. */
  ending: Promise<void> | undefined;

  constructor(transaction: T) {
    this.transaction = transaction;
    this.outcome = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.outcome.catch(() => {});
  }

  get closed(): boolean {
    return this.#closed;
  }

  get failure(): unknown {
    return this.#failure;
  }

  get size(): number {
    return this.#members.size;
  }

  has(control: BatchControl): boolean {
    return this.#members.has(control);
  }

  add(control: BatchControl): void {
    this.#members.add(control);
  }

  /** Keeps a send made in the transaction, so that an abort waits for the sends in flight. */
  sending<R>(send: Promise<R>): Promise<R> {
    this.#sends.add(send);
    const done = () => this.#sends.delete(send);
    send.then(done, done);
    return send;
  }

  /** Sends in flight settled (whatever their outcome). */
  async quiet(): Promise<void> {
    while (this.#sends.size > 0) await Promise.allSettled([...this.#sends]);
  }

  /** The member's stages are done; `last` are its partitions' last records. */
  ready(control: BatchControl, last: readonly KafkaMessage[], stillOwned?: () => void): void {
    this.#ready.add(control);
    if (stillOwned) this.#checks.push(stillOwned);
    for (const message of last) {
      const key = floorKey(message.topic, message.partition);
      const known = this.#offsets.get(key);
      if (!known || message.offset > known.offset) this.#offsets.set(key, message);
    }
  }

  /** No member joins after this. */
  close(): void {
    this.#closed = true;
  }

  /** Closed, not failed, and every member ready: time to commit. */
  get due(): boolean {
    return this.#closed && this.#failure === undefined && this.#ready.size === this.#members.size;
  }

  /** Throws when a member's partitions moved meanwhile: the transaction must not commit their offsets. */
  checkOwnership(): void {
    for (const check of this.#checks) check();
  }

  /** What the transaction's offsets are: each partition's newest record among the members. */
  lastMessages(): KafkaMessage[] {
    return [...this.#offsets.values()];
  }

  committed(): void {
    this.#committed = true;
    this.#settle.resolve();
  }

  /** Ends the span with `error` (the first failure wins): no member commits. Nothing once it committed. */
  fail(error: unknown): void {
    if (this.#failure !== undefined || this.#committed) return;
    this.#failure = error;
    this.#closed = true;
    this.#settle.reject(error);
  }
}
