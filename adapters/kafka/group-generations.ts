import type { Consumer } from '@platformatic/kafka';
import { SinkError } from '../../core/index.ts';
import { floorKey } from './stable-offsets.ts';

type KafkaConsumer = Consumer<Buffer, Buffer, string, Buffer>;

interface InPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * The consumer's group generations and assignment: a batch that straddles a rebalance is not committed, since its
 * partitions may belong to another instance now and committing could duplicate that instance's work.
 */
export class GroupGenerations {
  readonly #consumer: KafkaConsumer;
  /** Counts the group generations this consumer joined. */
  #generation = 0;

  constructor(consumer: KafkaConsumer, onRebalance: () => void) {
    this.#consumer = consumer;
    const rebalanced = () => {
      this.#generation++;
      onRebalance();
    };
    consumer.on('consumer:group:join', rebalanced);
    // The consumer protocol (KIP-848) moves partitions without a join: the client reports a revocation this way, and
    // OffsetFloors sees partitions added.
    consumer.on('consumer:group:rebalance', rebalanced);
  }

  /** Whether every record belongs to a partition assigned here now. */
  allAssigned(records: readonly InPartition[]): boolean {
    if (!this.#consumer.assignments) return false;
    const owned = this.owned();
    // Records come in runs of one partition: each run is looked up once.
    let topic: string | undefined;
    let partition = -1;
    for (const record of records) {
      if (record.partition === partition && record.topic === topic) continue;
      if (!owned.has(floorKey(record.topic, record.partition))) return false;
      topic = record.topic;
      partition = record.partition;
    }
    return true;
  }

  /** The partitions assigned here now (as floorKey). */
  owned(): Set<string> {
    return new Set((this.#consumer.assignments ?? []).flatMap((a) => a.partitions.map((p) => floorKey(a.topic, p))));
  }

  /**
   * A check, for a batch read now, that throws once the group rebalanced or the batch's partitions are no longer
   * assigned here. With the consumer protocol a revocation lands without a join, hence the check of the assignment itself.
   */
  stillOwned(records: readonly InPartition[]): () => void {
    const generation = this.#generation;
    return () => {
      if (generation !== this.#generation || !this.allAssigned(records)) {
        throw new SinkError('the group rebalanced while the batch was in flight; it will be read again', { retryable: true });
      }
    };
  }
}
