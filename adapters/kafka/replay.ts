import {
  Consumer,
  FetchIsolationLevels,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Producer,
  compatibilityPartitioner,
  stringDeserializer,
  stringSerializer,
} from '@platformatic/kafka';
import type { SASLOptions } from '@platformatic/kafka';
import type { ConnectionOptions } from 'node:tls';
import {
  ConfigError,
  DeadLetterHeaders,
  FailureCategories,
  StageSpans,
  checkWholeNumber,
  isFailureCategory,
  noopTracer,
  carryTrace,
  sameTopic,
  startSendSpan,
} from '../../core/index.ts';
import type { FailureCategory, Logger, Tracer } from '../../core/index.ts';
import { silentLogger } from '../../core/index.ts';
import { readBatch } from './batch-reader.ts';
import { kafkaClientSettings, resolveClientOptions } from './client-options.ts';
import type { KafkaClientOptions } from './client-options.ts';
import { consumeStream } from './consume-stream.ts';
import { kafkaError } from './errors.ts';
import { parseBrokers } from './options.ts';
import { asBuffer } from './records.ts';
import type { KafkaMessage, KafkaOutbound } from './records.ts';

/** Header a replayed record carries: how many times it has been replayed. */
export const ReplayCountHeader = 'replay_count';
/** Header a parked record carries: why it was parked. */
export const ParkReasonHeader = 'park_reason';

export interface ReplayOptions {
  readonly brokers?: readonly string[] | string;
  /** The dead-letter topic to replay. */
  readonly dlqTopic: string;
  /** Where to republish; default each record's `source_topic` header. */
  readonly to?: string;
  readonly categories?: readonly FailureCategory[];
  /** Only records whose last failure is at or after / before these epoch-ms times. */
  readonly since?: number;
  readonly until?: number;
  /** Only the dead letters this accepts (besides the category and time filters); the others are skipped. */
  readonly select?: (message: KafkaMessage) => boolean;
  /** Records per second at most, counting those inside the filters (skipped ones are passed over without waiting). */
  readonly ratePerSecond?: number;
  /** Called with the summary so far after each batch is republished and committed. */
  readonly onProgress?: (summary: ReplaySummary) => void;
  /** Where records that fail again go; default `<dlqTopic>-parking`. */
  readonly parkingTopic?: string;
  /** A record already replayed this many times is parked instead of replayed again. */
  readonly maxReplays?: number;
  /** The consumer group that remembers how far replay has read; use a new one to read the topic again. */
  readonly groupId?: string;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** A span per republished batch, linked to the dead letters' spans; the replayed records carry its context. */
  readonly tracer?: Tracer;
  readonly sasl?: SASLOptions;
  readonly tls?: ConnectionOptions;
  /** The Kafka client's retry and timeout settings (as the transport's `client`). */
  readonly client?: KafkaClientOptions;
}

export interface ReplaySummary {
  readonly read: number;
  readonly replayed: number;
  readonly parked: number;
  /** Outside the category or time filter: passed over. */
  readonly skipped: number;
  /** Records inside the filter, by failure category. */
  readonly byCategory: Readonly<Record<string, number>>;
}

/** How long one read waits for records before the partitions' fetch positions are checked against their ends. */
const idleMs = 500;

const header = (message: KafkaMessage, name: string): string | undefined => message.headers.get(name)?.toString();

const deadLetterHeaderNames = new Set<string>(Object.values(DeadLetterHeaders));

/** Original headers without the dead-letter ones, plus the replay count. */
function replayHeaders(message: KafkaMessage, count: number): Map<string, Buffer> {
  const headers = new Map<string, Buffer>();
  for (const [name, value] of message.headers) if (!deadLetterHeaderNames.has(name)) headers.set(name, value);
  headers.set(ReplayCountHeader, Buffer.from(String(count)));
  return headers;
}

function checkOptions(options: ReplayOptions) {
  if (!options.dlqTopic) throw new ConfigError('dlqTopic', 'the dead-letter topic to replay is required');
  for (const category of options.categories ?? []) {
    if (!isFailureCategory(category)) {
      throw new ConfigError('categories', `must be among ${FailureCategories.join(', ')}; got ${JSON.stringify(category)}`);
    }
  }
  const ratePerSecond = options.ratePerSecond ?? 1_000;
  if (!(ratePerSecond > 0)) throw new ConfigError('ratePerSecond', `must be > 0; got ${JSON.stringify(ratePerSecond)}`);
  const maxReplays = options.maxReplays ?? 1;
  checkWholeNumber('maxReplays', maxReplays);
  return { ratePerSecond, maxReplays, parkingTopic: options.parkingTopic ?? `${options.dlqTopic}-parking` };
}

/**
 * Republishes dead-lettered records to their source topic (or `to`) at a rate limit, filtered by category and time.
 * Records replayed `maxReplays` times already, whose value was cut to fit the dead-letter topic, or that cannot be
 * republished, are parked in the parking topic. Reads
 * the dead-letter topic up to its last stable offset as of the start (what is committed then), as consumer group
 * `groupId`, and commits as it goes.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const { ratePerSecond, maxReplays, parkingTopic } = checkOptions(options);
  const logger = options.logger ?? silentLogger;
  const tracer = options.tracer ?? noopTracer;
  const brokers = parseBrokers(options.brokers ?? '127.0.0.1:9092');
  const common = {
    bootstrapBrokers: brokers,
    ...kafkaClientSettings(resolveClientOptions(options.client)),
    ...(options.sasl ? { sasl: options.sasl } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  };
  const consumer = new Consumer({
    ...common,
    clientId: 'orchestron-replay',
    groupId: options.groupId ?? `orchestron-replay-${options.dlqTopic}`,
    autocommit: false,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    deserializers: { headerKey: stringDeserializer },
  });
  consumer.on('error', (error: unknown) => logger.warn({ error: String(error) }, 'replay consumer error'));
  const producer = new Producer({
    ...common,
    clientId: 'orchestron-replay',
    idempotent: true,
    autocreateTopics: true,
    partitioner: compatibilityPartitioner,
    serializers: { headerKey: stringSerializer },
  });
  const summary = { read: 0, replayed: 0, parked: 0, skipped: 0, byCategory: {} as Record<string, number> };
  try {
    const ends = (await consumer.listOffsets({ topics: [options.dlqTopic], isolationLevel: FetchIsolationLevels.READ_COMMITTED })).get(options.dlqTopic) ?? [];
    const committed =
      (await consumer.listCommittedOffsets({ topics: [{ topic: options.dlqTopic, partitions: ends.map((_, p) => p) }] })).get(
        options.dlqTopic,
      ) ?? [];
    // Partitions with records past what this group already replayed, up to their end as of now.
    const remaining = new Map(
      ends.map((end, partition) => [partition, end] as const).filter(([partition, end]) => end > (committed[partition] ?? -1n) && end > 0n),
    );
    // A stream error ends the read that sees it: the replay then fails with it (stream.errored below).
    const stream = await consumeStream(
      consumer,
      { topics: [options.dlqTopic], mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamFallbackModes.EARLIEST, autocommit: false, maxWaitTime: 200 },
      (error) => logger.warn({ error: String(error) }, 'replay consumer stream error'),
    );
    const chunk = Math.max(1, Math.min(500, Math.floor(ratePerSecond / 10) || 1));
    const started = performance.now();
    try {
      while (remaining.size > 0 && !options.signal?.aborted) {
        // A read gives up after `idleMs` without records, so that partitions whose last offsets hold no records are seen to end.
        const idle = AbortSignal.timeout(idleMs);
        const batch = (await readBatch(stream, chunk, 50, options.signal ? AbortSignal.any([options.signal, idle]) : idle)).filter((m) => {
          const end = remaining.get(m.partition);
          return end !== undefined && m.offset < end;
        });
        if (batch.length === 0) {
          if (stream.errored || stream.destroyed || stream.readableEnded) throw stream.errored ?? new Error('the consumer stream ended');
          fetchedPast(stream.offsetsToFetch, options.dlqTopic, remaining);
          continue;
        }
        // Headers always a map here: the replay span's trace context goes into them.
        const replays: (KafkaOutbound & { readonly headers: Map<string, Buffer> })[] = [];
        const replayed: KafkaMessage[] = [];
        const parks: KafkaOutbound[] = [];
        for (const message of batch) {
          summary.read++;
          const category = header(message, DeadLetterHeaders.category) ?? 'UNKNOWN';
          const failedAt = Date.parse(header(message, DeadLetterHeaders.lastFailureAt) ?? '');
          const wanted =
            (!options.categories || options.categories.includes(category as FailureCategory)) &&
            (options.since === undefined || failedAt >= options.since) &&
            (options.until === undefined || failedAt < options.until) &&
            (!options.select || options.select(message));
          if (!wanted) {
            summary.skipped++;
            continue;
          }
          summary.byCategory[category] = (summary.byCategory[category] ?? 0) + 1;
          const timesReplayed = Number(header(message, ReplayCountHeader) ?? 0);
          const target = options.to ?? header(message, DeadLetterHeaders.sourceTopic);
          const outbound = { key: message.key, value: message.value } as const;
          const truncated = header(message, DeadLetterHeaders.sourceValueTruncated) === 'true';
          if (timesReplayed >= maxReplays || !target || truncated) {
            const reason = truncated
              ? 'value cut to fit the dead-letter topic; the whole record is at its source_topic, source_partition and source_offset'
              : target
                ? `failed again after ${timesReplayed} replay(s)`
                : 'no source_topic header and no target topic';
            parks.push({ ...outbound, topic: parkingTopic, headers: new Map([...message.headers, [ParkReasonHeader, Buffer.from(reason)]]) });
          } else {
            replays.push({ ...outbound, topic: target, headers: replayHeaders(message, timesReplayed + 1) });
            replayed.push(message);
          }
        }
        const span = tracer.enabled && replays.length > 0 ? startSendSpan(tracer, StageSpans.replay, sameTopic(replays), replayed) : undefined;
        const sent = await sendOrPark(producer, span ? carryTrace(replays, span.context, asBuffer) : replays, parkingTopic, logger);
        span?.end();
        summary.replayed += sent;
        summary.parked += parks.length + replays.length - sent;
        if (parks.length > 0) await producer.send({ messages: parks });
        await commitBatch(consumer, batch);
        options.onProgress?.({ ...summary, byCategory: { ...summary.byCategory } });
        for (const message of batch) if (message.offset + 1n >= (remaining.get(message.partition) ?? 0n)) remaining.delete(message.partition);
        const ahead = (summary.read - summary.skipped) / ratePerSecond - (performance.now() - started) / 1000;
        if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead * 1000));
      }
    } finally {
      await stream.close();
    }
  } catch (error) {
    throw kafkaError(error, `replay ${options.dlqTopic}`);
  } finally {
    await consumer.close(true);
    await producer.close();
  }
  return summary;
}

/**
 * Drops the partitions whose fetch position has reached their end as of the start. Transaction markers and aborted
 * records take offsets that are never handed out (a dead-letter topic written in atomic mode ends with a commit
 * marker), so the end is found by the position, once nothing fetched is left unread.
 */
function fetchedPast(positions: ReadonlyMap<string, bigint>, topic: string, remaining: Map<number, bigint>): void {
  for (const [partition, end] of remaining) {
    if ((positions.get(`${topic}:${partition}`) ?? -1n) >= end) remaining.delete(partition);
  }
}

/** Sends the replays; if the batch cannot be delivered for good, parks its records instead. Returns how many were replayed. */
async function sendOrPark(producer: Producer<Buffer, Buffer, string, Buffer>, messages: KafkaOutbound[], parkingTopic: string, logger: Logger): Promise<number> {
  if (messages.length === 0) return 0;
  try {
    await producer.send({ messages });
    return messages.length;
  } catch (thrown) {
    const error = kafkaError(thrown, 'republish');
    if (error.retryable) throw error;
    logger.warn({ error: error.message, records: messages.length }, 'replay could not republish; parking');
    const reason = Buffer.from(`republish failed: ${error.message}`.slice(0, 1_024));
    await producer.send({
      messages: messages.map((m) => ({ ...m, topic: parkingTopic, headers: new Map([...(m.headers as Map<string, Buffer>), [ParkReasonHeader, reason]]) })),
    });
    return 0;
  }
}

async function commitBatch(consumer: Consumer<Buffer, Buffer, string, Buffer>, batch: readonly KafkaMessage[]): Promise<void> {
  const last = new Map<number, KafkaMessage>();
  for (const message of batch) last.set(message.partition, message);
  await consumer.commit({
    offsets: [...last.values()].map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset + 1n, leaderEpoch: m.leaderEpoch })),
  });
}
