import type { Admin, Consumer } from '@platformatic/kafka';
import type { Platform, Position } from '../../core/index.ts';
import type { KafkaMessage } from './records.ts';
import { floorKey, floorOf, stableCommittedOffsets } from './stable-offsets.ts';

type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;

/** Past the transaction timeout, how long the coordinator may take to abort a timed-out transaction (it checks every 10 s). */
const pendingTransactionMarginMs = 30_000;

/**
 * Atomic mode: the offsets below which records were already committed, by a previous owner of their partition (the
 * stable committed offsets, see stable-offsets.ts) or by this instance's own transactions. Records below them are dropped.
 */
export class OffsetFloors {
  readonly #admin: Admin;
  readonly #consumer: KafkaConsumer;
  readonly #groupId: string;
  readonly #transactionTimeoutMs: number;
  readonly #platform: Platform;
  /** Stable committed offsets as of the last assignment; undefined when a rebalance made them stale. */
  #floors: Map<string, bigint> | undefined;
  /** The assignments the floors were read for. */
  #floorsFor: unknown;
  /** The offsets this instance's own transactions committed. */
  readonly #ownCommitted = new Map<string, bigint>();

  constructor(
    admin: Admin,
    consumer: KafkaConsumer,
    options: { readonly groupId: string; readonly transactionTimeoutMs: number },
    platform: Platform,
  ) {
    this.#admin = admin;
    this.#consumer = consumer;
    this.#groupId = options.groupId;
    this.#transactionTimeoutMs = options.transactionTimeoutMs;
    this.#platform = platform;
  }

  /** The group rebalanced: the stable offsets are read again before the next records. */
  rebalanced(): void {
    this.#floors = undefined;
  }

  /**
   * Transactional offsets become visible to a plain offset fetch only once the commit markers are written, after the
   * commit returned, so a rewind or a rebalance right after can read from the old offset. Our own commits are
   * remembered as floors too, and survive rebalances (they stay lower bounds of what is committed).
   */
  raise(positions: readonly Position[]): void {
    for (const { topic, partition, offset } of positions) {
      if (offset > floorOf(this.#ownCommitted, topic, partition)) this.#ownCommitted.set(floorKey(topic, partition), offset);
    }
  }

  /** Drops records a previous owner of their partition, or this instance, already committed. */
  async above(messages: KafkaMessage[]): Promise<KafkaMessage[]> {
    // The client replaces its assignments list whenever they change, with either protocol.
    if (this.#floorsFor !== this.#consumer.assignments) {
      this.#floorsFor = this.#consumer.assignments;
      this.#floors = undefined;
    }
    this.#floors ??= await stableCommittedOffsets(this.#admin, this.#groupId, {
      // A transaction left open by a crashed instance holds its offsets until the coordinator times it out.
      deadlineMs: this.#transactionTimeoutMs + pendingTransactionMarginMs,
      logger: this.#platform.logger,
      clock: this.#platform.clock,
    });
    const floors = this.#floors;
    const own = this.#ownCommitted;
    const kept = messages.filter(
      (m) => m.offset >= floorOf(floors, m.topic, m.partition) && m.offset >= floorOf(own, m.topic, m.partition),
    );
    if (kept.length < messages.length) {
      this.#platform.logger.info({ skipped: messages.length - kept.length }, 'skipped records below the stable committed offsets');
    }
    return kept;
  }
}
