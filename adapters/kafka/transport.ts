import { Admin, Consumer, FetchIsolationLevels, Producer, compatibilityPartitioner, stringDeserializer } from '@platformatic/kafka';
import { ConfigError } from '../../core/index.ts';
import type { Batch, FailureMode, Logger, PipelineContext, Sink } from '../../core/index.ts';
import { ensureTopicsLike } from './admin.ts';
import { kafkaClientSettings } from './client-options.ts';
import { closeWithin } from './close-within.ts';
import { instanceIdConflict, instanceIdInUse, isAuthenticationFailure, kafkaError } from './errors.ts';
import { consumerGroupOptions } from './group-options.ts';
import { headerNameSerializer } from './header-names.ts';
import { watchInstanceId } from './instance-id-watch.ts';
import { followMemberEpoch } from './member-epoch.ts';
import type { KafkaOptions, ResolvedKafkaOptions } from './options.ts';
import { resolveKafkaOptions } from './options.ts';
import { ProducerHolder } from './producer-holder.ts';
import type { PartitionProblems } from './partition-health.ts';
import type { PartitionLag } from './consumer-lag.ts';
import { kafkaSink } from './sink.ts';
import { TopicLimits } from './topic-limits.ts';
import { KafkaSource } from './source.ts';
import { BatchTransactions } from './transactions.ts';
import type { Env } from '../../core/index.ts';

export interface KafkaTransportOptions extends Omit<KafkaOptions, 'failureMode'> {
  /** The pipeline's context: its failure mode is the transport's (one setting, in `pipelineContext`). */
  readonly context: PipelineContext;
  /**
   * Not needed: the failure mode is the context's. Accepted only when it agrees, so that a transport and a pipeline
   * that disagree (the transport once defaulted to atomic on its own) cannot be built.
   */
  readonly failureMode?: FailureMode;
  /** Where environment defaults come from (KAFKA_BROKERS, ORCHESTRON_INSTANCE_ID). */
  readonly env?: Env;
}

/**
 * Kafka in and out for one pipeline: a consumer-group source and a producer sink sharing one producer, so that in
 * atomic mode each batch's output, dead letters and offsets commit in one transaction (exactly-once).
 */
export class KafkaTransport {
  readonly options: ResolvedKafkaOptions;
  readonly consumer: Consumer<Buffer, Buffer, string, Buffer>;
  /** The producer the sink and the transactions use; recreated when it is left in a broken state. */
  readonly producers: ProducerHolder;
  readonly sink: Sink;
  readonly #admin: Admin | undefined;
  readonly #limits: TopicLimits;
  readonly #source: KafkaSource;
  readonly #common: ConstructorParameters<typeof Admin>[0];
  readonly #logger: Logger;
  /** Exactly-once: a transactional producer, and batches committed in its transactions. */
  readonly #transactional: boolean;
  /** Stops following the consumer protocol's member epoch (see member-epoch.ts). */
  readonly #unfollowEpoch: () => void;

  constructor(options: KafkaTransportOptions) {
    const failureMode = options.context.failureMode;
    if (options.failureMode !== undefined && options.failureMode !== failureMode) {
      throw new ConfigError(
        'failureMode',
        `the transport was given ${JSON.stringify(options.failureMode)} but the pipeline context says ${JSON.stringify(failureMode)}: set it once, in pipelineContext({ failureMode }), and leave it out of the transport's options`,
      );
    }
    this.options = resolveKafkaOptions({ ...options, failureMode }, options.env ?? {});
    const o = this.options;
    const atomic = options.context.failurePolicy.transactional;
    this.#transactional = atomic;
    const common = {
      clientId: o.clientId,
      bootstrapBrokers: o.brokers,
      ...kafkaClientSettings(o.client),
      ...(o.sasl ? { sasl: o.sasl } : {}),
      ...(o.tls ? { tls: o.tls } : {}),
    };
    this.#common = common;
    this.consumer = new Consumer({
      ...common,
      groupId: o.groupId,
      autocommit: false,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      ...consumerGroupOptions(o),
      deserializers: { headerKey: stringDeserializer },
    });
    const logger = options.context.platform.logger;
    this.#logger = logger;
    this.producers = new ProducerHolder(
      (claim) =>
        new Producer({
          ...common,
          idempotent: true,
          // -1/-1 asks the coordinator for a new epoch of whatever producer the transactional id had before (a crashed
          // instance): the client's default 0/0 is taken as a claim to be producer 0 and answered PRODUCER_FENCED.
          // The client sends its request timeout as the transaction timeout (InitProducerId): without this a transaction
          // open longer than 5 s was aborted by the coordinator, and such a batch could never commit.
          ...(atomic ? { transactionalId: o.transactionalId, ...claim, timeout: o.transactionTimeoutMs } : {}),
          compression: o.compression,
          autocreateTopics: true,
          partitioner: compatibilityPartitioner,
          serializers: { headerKey: headerNameSerializer },
        }),
      logger,
    );
    this.consumer.on('error', (error: unknown) => logger.warn({ error: String(error) }, 'kafka consumer error'));
    const transactions = atomic ? new BatchTransactions(this.producers, logger, options.context.platform.clock, { intervalMs: o.commitIntervalMs, consumer: this.consumer }) : undefined;
    this.#admin = atomic ? new Admin(common) : undefined;
    this.#limits = new TopicLimits(common, logger);
    this.sink = kafkaSink(this.producers, transactions, this.#limits);
    this.#unfollowEpoch = o.groupProtocol === 'consumer' ? followMemberEpoch(this.consumer) : () => {};
    this.#source = new KafkaSource(this.consumer, o, options.context, transactions && this.#admin ? { transactions, admin: this.#admin } : undefined);
  }

  /** The producer in use now (see `producers`). */
  get producer(): Producer<Buffer, Buffer, string, Buffer> {
    return this.producers.current;
  }

  /**
   * The batches of the subscribed topics, until `signal` aborts (the batch in flight still settles). Fails with an
   * INSTANCE_ID_IN_USE error when another live process turns out to use this instance's group instance id.
   */
  async *source(signal?: AbortSignal): AsyncGenerator<Batch<Uint8Array | null>> {
    if (this.options.sasl) await this.verifyCredentials();
    this.#logIdentity();
    const taken = new AbortController();
    let takenBy: unknown;
    // Stops at once, before the client rejoins: its rejoin would take the id back and fence the newer process in turn.
    const unwatch = watchInstanceId(this.consumer, (error) => {
      if (takenBy !== undefined) return;
      takenBy = error;
      taken.abort();
      this.consumer.leaveGroup(true, () => {});
    });
    try {
      yield* this.#source.batches(signal ? AbortSignal.any([signal, taken.signal]) : taken.signal);
    } catch (error) {
      if (instanceIdConflict(error)) throw instanceIdInUse(error, `join group ${this.options.groupId}`, this.options.instanceId);
      throw error;
    } finally {
      unwatch();
    }
    if (takenBy !== undefined) throw instanceIdInUse(takenBy, `group ${this.options.groupId}`, this.options.instanceId);
  }

  /** Which identity this instance uses in the group and for transactions; one line at start. */
  #logIdentity(): void {
    const o = this.options;
    const logger = this.#logger;
    const atomic = this.#transactional;
    logger.info(
      {
        group: o.groupId,
        groupProtocol: o.groupProtocol,
        instanceId: o.instanceId,
        instanceIdFrom: o.instanceIdSource,
        groupInstanceId: o.groupInstanceId ?? null,
        transactionalId: atomic ? o.transactionalId : null,
      },
      'kafka identity',
    );
    if (atomic && o.instanceIdSource !== 'option' && o.instanceIdSource !== 'ORCHESTRON_INSTANCE_ID') {
      logger.warn(
        { instanceId: o.instanceId, instanceIdFrom: o.instanceIdSource, transactionalId: o.transactionalId },
        'exactly-once with no explicit instance id: two processes with the same one fence each other; set ORCHESTRON_INSTANCE_ID (or kafka.instanceId) to a stable id unique per process',
      );
    }
  }

  /**
   * One request without retries, so that refused SASL credentials fail the start at once with an AuthenticationError,
   * instead of after the consumer's nested retries (coordinator lookups inside group joins: 16 refused logins, ~20 s).
   * Any other failure is left to the clients' own retries.
   */
  async verifyCredentials(): Promise<void> {
    const probe = new Admin({ ...this.#common, clientId: `${this.options.clientId}-login`, retries: 0 });
    try {
      await probe.listTopics();
    } catch (error) {
      if (isAuthenticationFailure(error)) throw kafkaError(error, `log in to ${this.options.brokers.join(',')}`);
    } finally {
      await probe.close().catch(() => {});
    }
  }

  /**
   * Creates each topic of `topics` that does not exist yet with as many partitions as its `like` topic and the broker's
   * default replication factor (retry topics beside their source topic); returns the names it created. A topic created
   * meanwhile by another instance counts as existing.
   */
  createTopicsLike(topics: readonly { readonly name: string; readonly like: string }[]): Promise<string[]> {
    return ensureTopicsLike({ ...this.#common, clientId: `${this.options.clientId}-admin` }, topics);
  }

  /** Source partitions stopped because their dead letters cannot be written, and partitions stalled (for readiness). */
  partitionProblems(): PartitionProblems {
    return this.#source.problems();
  }

  /**
   * The consumer lag of each partition assigned here (last stable offset minus the group's committed offset), as last
   * measured (every `lagIntervalMs`, and after a rebalance); also `orchestron_consumer_lag`.
   */
  consumerLag(): PartitionLag[] {
    return this.#source.lag();
  }

  /** Partitions currently assigned to this instance. */
  assignments(): { topic: string; partitions: number[] }[] {
    return (this.consumer.assignments ?? []).map((a) => ({ topic: a.topic, partitions: [...a.partitions] }));
  }

  /**
   * Leaves the group and closes both clients, forcibly once `deadlineMs` has passed; returns at most
   * `forcedCloseGraceMs` after that even if a client still waits on the broker (see closeWithin).
   */
  async close(deadlineMs = 10_000): Promise<void> {
    try {
      await closeWithin(
        async () => {
          await this.consumer.close(true);
          await this.producers.close();
          await this.#admin?.close();
          await this.#limits.close();
        },
        () => Promise.allSettled([this.consumer.close(true), this.producers.close(true), this.#admin?.close(), this.#limits.close()]),
        deadlineMs,
      );
    } catch (error) {
      throw kafkaError(error, 'close kafka clients');
    } finally {
      this.#unfollowEpoch();
    }
  }
}
