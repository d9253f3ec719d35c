import { Admin, ConfigResourceTypes, findErrorBy } from '@platformatic/kafka';
import type { Logger } from '../../core/index.ts';
import { kafkaError } from './errors.ts';

type AdminOptions = ConstructorParameters<typeof Admin>[0];

/**
 * A limit read longer ago than this is read again before it is used: a topic's limit can be raised (a dead-letter
 * topic too small, fixed by its operator) or lowered at any time, and a record refused by a stale limit never reaches
 * the broker to learn otherwise.
 */
const maxAgeMs = 10_000;

/** Kafka's default `message.max.bytes`, the largest record batch a broker takes unless configured otherwise. */
export const kafkaDefaultMaxMessageBytes = 1_048_588;

/**
 * The broker refused a request for its size: the topic's `max.message.bytes` (MESSAGE_TOO_LARGE) or the segment size
 * (RECORD_LIST_TOO_LARGE). The limits are read again after it.
 */
export function isTooLargeAnswer(error: unknown): boolean {
  // The client's error, or one of ours wrapping it as its cause.
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (findErrorBy(e, 'apiId', 'MESSAGE_TOO_LARGE') || findErrorBy(e, 'apiId', 'RECORD_LIST_TOO_LARGE')) return true;
  }
  return false;
}

/**
 * The most bytes a record batch may take in each destination topic: its `max.message.bytes`, read once from the
 * broker (DescribeConfigs) and kept; a topic that does not exist yet gets the broker's `message.max.bytes`, which it
 * will be auto-created with. `refresh` reads a topic again, after the broker answered MESSAGE_TOO_LARGE.
 */
export class TopicLimits {
  readonly #options: AdminOptions;
  #admin: Admin | undefined;
  readonly #known = new Map<string, number>();
  readonly #readAt = new Map<string, number>();
  readonly #reading = new Map<string, Promise<number>>();
  #brokerDefault: Promise<number> | undefined;

  readonly #logger: Logger | undefined;
  readonly #unreadable = new Set<string>();

  constructor(options: AdminOptions, logger?: Logger) {
    this.#logger = logger;
    // No client retries: the callers' retries (the stages' backoff) cover a broker that does not answer, and an
    // unknown topic is answered at once instead of after the client's three retries a second apart.
    this.#options = { ...options, clientId: `${options.clientId ?? 'orchestron'}-limits`, retries: 0 };
  }

  /** The limit of `topic`, from the broker the first time. Rejects with a retryable SinkError if the broker cannot say. */
  async of(topic: string): Promise<number> {
    const known = this.#known.get(topic);
    if (known === undefined) return this.#read(topic);
    if (!this.#stale(topic)) return known;
    // A broker that cannot say now leaves the limit last read in use.
    return this.#read(topic).catch(() => known);
  }

  /** The limit last read for `topic`, however long ago; undefined if it was never read. What sends are cut by. */
  lastRead(topic: string): number | undefined {
    return this.#known.get(topic);
  }

  /** The limit last read for `topic`, without asking the broker; undefined if it was never read or is due to be read again. */
  known(topic: string): number | undefined {
    return this.#stale(topic) ? undefined : this.#known.get(topic);
  }

  #stale(topic: string): boolean {
    return Date.now() - (this.#readAt.get(topic) ?? 0) > maxAgeMs;
  }

  /** Reads the limits of `topics` again; true when one of them changed (the limit was lowered since it was read). */
  async refresh(topics: Iterable<string>): Promise<boolean> {
    let changed = false;
    this.#brokerDefault = undefined;
    for (const topic of new Set(topics)) {
      const before = this.#known.get(topic);
      const now = await this.#read(topic).catch(() => before);
      if (now !== before) changed = true;
    }
    return changed;
  }

  async close(): Promise<void> {
    await this.#admin?.close().catch(() => {});
    this.#admin = undefined;
  }

  #read(topic: string): Promise<number> {
    const pending = this.#reading.get(topic);
    if (pending) return pending;
    const reading = this.#describe(topic)
      .then((limit) => {
        this.#known.set(topic, limit);
        this.#readAt.set(topic, Date.now());
        return limit;
      })
      .finally(() => this.#reading.delete(topic));
    this.#reading.set(topic, reading);
    return reading;
  }

  async #describe(topic: string): Promise<number> {
    const admin = (this.#admin ??= new Admin(this.#options));
    try {
      const [described] = await admin.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['max.message.bytes'] }],
      });
      return positive(described?.configs.find((c) => c.name === 'max.message.bytes')?.value) ?? kafkaDefaultMaxMessageBytes;
    } catch (error) {
      if (error instanceof Error && findErrorBy(error, 'apiId', 'UNKNOWN_TOPIC_OR_PARTITION')) return this.#defaultForNewTopics(admin);
      if (isNotAuthorized(error)) return this.#assumeDefault(topic, error);
      throw kafkaError(error, `read max.message.bytes of topic ${topic}`);
    }
  }

  /**
   * Without permission to read a topic's configs, Kafka's default is assumed (said once per topic): sends are cut to
   * it, and a record larger than it is refused even if the topic would take it. Grant DescribeConfigs to avoid that.
   */
  #assumeDefault(topic: string, error: unknown): number {
    if (!this.#unreadable.has(topic)) {
      this.#unreadable.add(topic);
      this.#logger?.warn(
        { topic, assumedMaxMessageBytes: kafkaDefaultMaxMessageBytes, error: kafkaError(error, 'describe configs').message },
        'not allowed to read the max.message.bytes of the topic (DescribeConfigs); assuming the Kafka default',
      );
    }
    return kafkaDefaultMaxMessageBytes;
  }

  #defaultForNewTopics(admin: Admin): Promise<number> {
    this.#brokerDefault ??= (async () => {
      try {
        const metadata = await admin.metadata({ topics: [] });
        const [broker] = metadata.brokers.keys();
        if (broker === undefined) return kafkaDefaultMaxMessageBytes;
        const [described] = await admin.describeConfigs({
          resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: String(broker), configurationKeys: ['message.max.bytes'] }],
        });
        return positive(described?.configs.find((c) => c.name === 'message.max.bytes')?.value) ?? kafkaDefaultMaxMessageBytes;
      } catch (error) {
        this.#brokerDefault = undefined;
        throw kafkaError(error, 'read the broker default message.max.bytes');
      }
    })();
    return this.#brokerDefault;
  }
}

/** The broker refused to describe configs to this client (no DescribeConfigs permission). */
const isNotAuthorized = (error: unknown): boolean =>
  error instanceof Error &&
  ['TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED'].some((apiId) => findErrorBy(error, 'apiId', apiId) !== null);

function positive(value: string | null | undefined): number | undefined {
  const n = Number(value);
  return value && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
