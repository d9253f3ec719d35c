import { Consumer, FetchIsolationLevels, MessagesStreamFallbackModes, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';
import type { Message, MessagesStream } from '@platformatic/kafka';
import { Audit } from './audit.ts';
import { LatencyHistogram } from './histogram.ts';
import { ID_HEADER, SENT_AT_HEADER, preciseNow } from './records.ts';

type OutputMessage = Message<string, string, string, string>;

/**
 * The verifier's fetch settings, so it adds no wait of its own: the broker answers a fetch as soon as one byte is
 * readable (minBytes 1), and maxWaitTime only bounds a fetch that finds nothing (then the next one goes out at once).
 * The client keeps one fetch in flight per broker and sends the next as soon as the previous response is pushed.
 */
const VERIFIER_FETCH = { minBytes: 1, maxWaitTime: 100 } as const;

/**
 * A refused request (a fresh topic's first offset lookup often is, while its leader settles) is retried after 20 ms,
 * doubling to 1 s: the client's own 1 s delay held every record of a run's first second. About 3 s in all, as the
 * client's 3 retries of 1 s.
 */
const verifierRetries = { retries: 8, retryDelay: (_client: unknown, _operation: string, attempt: number) => Math.min(1_000, 20 * 2 ** (attempt - 1)) };

export interface VerifierOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** The dead-letter topic of the process under test: records there are accounted as dead-lettered, not lost. */
  readonly deadLetterTopic?: string;
  readonly groupId: string;
  readonly messages: number;
  readonly partitions: number;
}

/**
 * Reads the output topic (and the dead-letter topic) with read_committed in a consumer group of its own, from the
 * beginning, and accounts for every record by its id header: lost, duplicated, out of order, dead-lettered (audit.ts),
 * and the end-to-end latency of its first delivery (now − the send-time header) in an HDR histogram.
 */
export class Verifier {
  readonly audit: Audit;
  readonly latency = new LatencyHistogram();
  firstAt: number | undefined;
  lastAt: number | undefined;
  /** First deliveries without a readable send-time header (the pipeline dropped headers): no latency for them. */
  withoutSentAt = 0;
  readonly #options: VerifierOptions;
  readonly #consumer: Consumer<string, string, string, string>;
  #stream: MessagesStream<string, string, string, string> | undefined;
  #joined: Promise<void>;

  constructor(options: VerifierOptions) {
    this.#options = options;
    this.audit = new Audit(options.messages, options.partitions);
    this.#consumer = new Consumer({
      clientId: 'orchestron-soak-verifier',
      groupId: options.groupId,
      bootstrapBrokers: [...options.brokers],
      autocommit: false,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      deserializers: stringDeserializers,
      ...verifierRetries,
    });
    this.#joined = new Promise((resolve) => this.#consumer.once('consumer:group:join', () => resolve()));
  }

  /**
   * Starts reading; resolves once the group assigned the partitions and the first fetch came back, so records
   * produced from then on are read as they arrive (the start-up, offset lookups included, is not in their latency).
   */
  async start(): Promise<void> {
    this.#stream = await this.#consumer.consume({
      topics: [this.#options.topic, ...(this.#options.deadLetterTopic ? [this.#options.deadLetterTopic] : [])],
      mode: MessagesStreamModes.EARLIEST,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      autocommit: false,
      ...VERIFIER_FETCH,
    });
    // Flowing: each record is accounted in the fetch response's own tick, nothing is buffered or batched on this side.
    this.#stream.on('data', (message: OutputMessage) => this.#account(message));
    this.#stream.on('error', () => {});
    const stream = this.#stream;
    const reading = new Promise<void>((resolve, reject) => {
      stream.once('fetch', () => resolve());
      stream.once('close', () => reject(new Error('the verifier stopped reading before its first fetch')));
    });
    await Promise.all([this.#joined, reading]);
  }

  async close(): Promise<void> {
    await this.#stream?.close().catch(() => {});
    await this.#consumer.close(true).catch(() => {});
  }

  #account(message: OutputMessage): void {
    const now = preciseNow();
    // The id header (any pipeline that keeps headers); the key for output of a pipeline that drops them.
    const id = message.headers.get(ID_HEADER) ?? message.key;
    if (message.topic === this.#options.deadLetterTopic) {
      this.audit.deadLettered(id);
      return;
    }
    const verdict = this.audit.record(message.partition, id);
    if (verdict === 'duplicate' || verdict === 'unknown') return;
    this.firstAt ??= now;
    this.lastAt = now;
    const sentAt = Number(message.headers.get(SENT_AT_HEADER));
    if (Number.isFinite(sentAt) && sentAt > 0) this.latency.recordMs(now - sentAt);
    else this.withoutSentAt++;
  }
}
