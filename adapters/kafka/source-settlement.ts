import type { Consumer } from '@platformatic/kafka';
import { OffsetCommits, Redeliveries, offsetSettlement, redeliveryDelayMs } from '../../core/index.ts';
import type { BatchControl, Clock, OffsetRange, Position, Settlement } from '../../core/index.ts';
import { kafkaError } from './errors.ts';
import type { GroupGenerations } from './group-generations.ts';
import type { Narrowing } from './narrowing.ts';
import type { OffsetFloors } from './offset-floors.ts';
import type { PartitionHealth } from './partition-health.ts';
import type { KafkaMessage } from './records.ts';
import type { SourceStream } from './source-stream.ts';
import { floorKey } from './stable-offsets.ts';
import type { BatchTransactions } from './transactions.ts';

type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;

/** The offset to commit for one partition: the next record to read, with the leader epoch it was read under. */
export interface PartitionOffset extends Position {
  readonly leaderEpoch: number;
}

export interface SourceSettlementDeps {
  readonly consumer: KafkaConsumer;
  readonly clock: Clock;
  readonly commitIntervalMs: number;
  readonly stream: SourceStream;
  readonly generations: GroupGenerations;
  readonly narrowing: Narrowing;
  readonly health: PartitionHealth;
  /** Atomic mode: the transactions batches commit in, and the floors their commits raise. */
  readonly exactlyOnce: { readonly transactions: BatchTransactions; readonly floors: OffsetFloors } | undefined;
  /** A batch settled (committed or aborted): it is no longer the one a stall is traced to. */
  readonly settled: (control: BatchControl) => void;
}

/**
 * How the Kafka source's batches settle, on the core source kit (offsetSettlement: the stale-after-rewind guard and
 * redelivery counting). Commit sends the offsets, in the batch's transaction in atomic mode, or through OffsetCommits
 * (once per commit interval) at-least-once; either way only while the batch's partitions are still owned here. Abort
 * rewinds the stream so the batch's records come again.
 */
export class SourceSettlement {
  readonly #deps: SourceSettlementDeps;
  readonly #redeliveries = new Redeliveries();
  /** At-least-once: offsets committed once per commit interval (see OffsetCommits). */
  readonly #offsetCommits: OffsetCommits<PartitionOffset>;

  constructor(deps: SourceSettlementDeps) {
    this.#deps = deps;
    this.#offsetCommits = new OffsetCommits((offsets) => this.#commitOffsets(offsets), { intervalMs: deps.commitIntervalMs, clock: deps.clock });
  }

  /** How many times the record has been delivered (1, plus one per aborted batch that held it). */
  attempts(topic: string, partition: number, offset: bigint): number {
    return this.#redeliveries.attempts(topic, partition, offset);
  }

  /** Sends the queued offsets now (before a rewind or a stop). */
  flush(): Promise<void> {
    return this.#offsetCommits.flush();
  }

  /**
   * What settles a batch read at rewind count `readAt`; it holds the batch's offset ranges and last messages, not its
   * records.
   */
  of(ranges: readonly OffsetRange[], last: readonly KafkaMessage[], readAt: number, size: number): Settlement {
    const { stream, generations, narrowing, health, exactlyOnce, settled } = this.#deps;
    const transactions = exactlyOnce?.transactions;
    // The partitions may belong to another instance now: committing could duplicate its work.
    const stillOwned = generations.stillOwned(last);
    // Pipelined (at-least-once) batches: one fetched before an abort rewound the source comes again after it.
    return offsetSettlement({
      rewinds: stream.rewinds,
      readAt,
      redeliveries: this.#redeliveries,
      ranges,
      commit: async (control) => {
        stillOwned();
        if (exactlyOnce && control.context.failurePolicy.transactional) {
          // Checked again when the transaction commits: a rebalance may come while it waits for its interval.
          await exactlyOnce.transactions.commit(control, last, stillOwned);
          exactlyOnce.floors.raise(control.positions);
        } else {
          // Cut short (BatchControl.limit): a partition commits up to its limit.
          const committing = control.committing;
          await this.#offsetCommits.commit(
            last.map((m, i) => ({ topic: m.topic, partition: m.partition, offset: committing[i]?.offset ?? m.offset + 1n, leaderEpoch: m.leaderEpoch })),
          );
        }
        narrowing.committed();
        health.committed(control.committing);
        settled(control);
      },
      rewind: async (control, error) => {
        settled(control);
        health.aborted(error);
        if (transactions) narrowing.aborted(size, error);
        stream.rewindAfterAbort(redeliveryDelayMs(error));
        if (transactions) await transactions.abort(control, error);
      },
      reread: () => stream.rewindAfterAbort(0),
      discard: async (control, error) => {
        settled(control);
        if (transactions) await transactions.abort(control, error);
      },
    });
  }

  /**
   * Offsets waited for the interval: those of partitions that moved to another instance meanwhile are left out (their
   * records were processed here; the new owner reads them again, which at-least-once allows, rather than have an older
   * offset overwrite its progress).
   */
  async #commitOffsets(offsets: readonly PartitionOffset[]): Promise<void> {
    const owned = this.#deps.generations.owned();
    const sending = offsets.filter((o) => owned.has(floorKey(o.topic, o.partition)));
    if (sending.length === 0) return;
    try {
      await this.#deps.consumer.commit({ offsets: sending });
    } catch (error) {
      throw kafkaError(error, 'commit offsets', 'source');
    }
  }
}
