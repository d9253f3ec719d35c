import { RecordRefusedError } from '../../core/index.ts';
import type { Logger, OrchestronError } from '../../core/index.ts';

/**
 * Atomic mode: how many records the source's next batch may hold. A batch aborted because the broker refused one of
 * its records (RecordRefusedError: a null key for a compacted topic, a record too large) would abort whole again on
 * every delivery, so the next batches are narrowed: each such abort halves the size (the first half of the aborted
 * records comes alone, a prefix of each partition's range, so offsets still commit in order), and each commit doubles
 * it back towards `batchSize`. The refused record ends alone in a batch of one; once it has been delivered
 * `maxDeliveries` times the produce stage dead-letters it (see `FailurePolicy.isolatedRefusal` in core/failure-policy.ts) and the
 * batch commits. Other aborts (retryable ones, a broker away) leave the size as it is.
 */
export class Narrowing {
  readonly #batchSize: number;
  readonly #logger: Logger;
  #limit: number;

  constructor(batchSize: number, logger: Logger) {
    this.#batchSize = batchSize;
    this.#logger = logger;
    this.#limit = batchSize;
  }

  /** The most records the next batch may hold. */
  get limit(): number {
    return this.#limit;
  }

  /** Whether batches are narrowed now. */
  get narrowed(): boolean {
    return this.#limit < this.#batchSize;
  }

  /** A batch of `size` records was aborted with `error`. */
  aborted(size: number, error: OrchestronError): void {
    if (!(error instanceof RecordRefusedError)) return;
    const limit = Math.max(1, Math.ceil(Math.min(size, this.#limit) / 2));
    if (!this.narrowed) {
      this.#logger.warn({ records: size, limit, error: error.message }, 'the broker refused a record of the batch; narrowing the next batches down to it');
    }
    this.#limit = limit;
  }

  /** A batch was committed. */
  committed(): void {
    if (!this.narrowed) return;
    this.#limit = Math.min(this.#batchSize, this.#limit * 2);
    if (!this.narrowed) this.#logger.info({ batchSize: this.#batchSize }, 'refused records isolated; batches back to full size');
  }
}
