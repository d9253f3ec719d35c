import type { Producer } from '@platformatic/kafka';
import type { Logger } from '../../core/index.ts';

export type KafkaProducer = Producer<Buffer, Buffer, string, Buffer>;

/** The producer id and epoch a new transactional producer claims: -1/-1 asks for whatever the transactional id had. */
export interface ProducerClaim {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/**
 * The transport's one producer, replaced when it is left in a state it cannot leave by itself (a transactional
 * producer whose sequence numbers or epoch the broker no longer accepts). Users ask for `current` each time rather
 * than keep it.
 */
export class ProducerHolder {
  readonly #create: (claim: ProducerClaim) => KafkaProducer;
  readonly #logger: Logger;
  #current: KafkaProducer;
  /** The producer id and epoch last seen in use (the client forgets them when it meets INVALID_PRODUCER_EPOCH). */
  #claim: ProducerClaim = { producerId: -1n, producerEpoch: -1 };
  #renewals = 0;
  #closed = false;

  constructor(create: (claim: ProducerClaim) => KafkaProducer, logger: Logger) {
    this.#create = create;
    this.#logger = logger;
    this.#current = create(this.#claim);
  }

  get current(): KafkaProducer {
    return this.#current;
  }

  /** Notes the current producer's id and epoch (after it began a transaction), for the claim of a renewal. */
  remember(): void {
    const { producerId, producerEpoch } = this.#current;
    if (producerId !== undefined && producerEpoch !== undefined) this.#claim = { producerId, producerEpoch };
  }

  /** How many times the producer was recreated. */
  get renewals(): number {
    return this.#renewals;
  }

  /**
   * Closes the current producer and creates a new one with the same options. The new one claims the old one's producer
   * id and epoch: the coordinator gives it the next epoch (ending any transaction left open), or answers
   * PRODUCER_FENCED when another instance took the transactional id meanwhile, so a zombie never fences the live one.
   */
  async renew(reason: string): Promise<void> {
    if (this.#closed) return;
    this.remember();
    const old = this.#current;
    this.#current = this.#create(this.#claim);
    this.#renewals++;
    this.#logger.info({ reason, renewals: this.#renewals }, 'kafka producer recreated');
    await old.close(true).catch(() => {});
  }

  async close(force = false): Promise<void> {
    this.#closed = true;
    await this.#current.close(force);
  }
}
