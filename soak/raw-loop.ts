// The ceiling the pipeline is measured against: a hand-written @platformatic/kafka consume → produce loop doing the
// same work (JSON decode, no-op, JSON encode, keys and headers kept) with the Kafka adapter's batching and commit model.
// Batches of up to batchSize records, each waiting at most lingerMs for more after its first record.
// alo (skip-and-log): each batch is produced as it is read; the offsets of acknowledged batches, newest per partition,
// are committed together at most once per commitIntervalMs, without holding up the next batches.
// eos (atomic): one transaction spans the batches read within commitIntervalMs of its begin; then the group's offsets
// go in and it commits while the next batch is read and encoded (only its sending waits for the commit).
// Any failure aborts and the process exits 3: a ceiling, not a resilient pipeline.
// Run as its own process with the pipeline's config file: `node soak/raw-loop.ts run --config FILE`.
import {
  Consumer,
  FetchIsolationLevels,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Producer,
  compatibilityPartitioner,
} from '@platformatic/kafka';
import type { Message, MessageToProduce, MessagesStream } from '@platformatic/kafka';
import { pino } from 'pino';
import { transactionalRetryDelay } from '../adapters/kafka/transactional-retry.ts';
import { readPipelineConfig } from './pipeline-config.ts';
import { serveHealthAndMetrics } from './process-http.ts';

type In = Message<Buffer, Buffer, Buffer, Buffer>;
type Out = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

/** The Kafka source's fetchMaxWaitMs (adapters/kafka/source.ts), not imported: that would load the adapter and core here. */
const fetchMaxWaitMs = 500;

const config = readPipelineConfig(process.argv.slice(2));
const logger = pino({ level: config.log.level });
const atomic = config.failureMode === 'atomic';
const { batchSize, lingerMs, commitIntervalMs } = config.kafka;
const brokers = config.kafka.brokers.split(',');

const consumer = new Consumer({
  clientId: `raw-${config.kafka.instanceId}`,
  groupId: config.kafka.groupId,
  bootstrapBrokers: brokers,
  autocommit: false,
  isolationLevel: FetchIsolationLevels.READ_COMMITTED,
});
const producer = new Producer({
  clientId: `raw-${config.kafka.instanceId}`,
  bootstrapBrokers: brokers,
  idempotent: true,
  ...(atomic ? { transactionalId: `${config.kafka.groupId}-${config.kafka.instanceId}`, producerId: -1n, producerEpoch: -1 } : {}),
  partitioner: compatibilityPartitioner,
  // The pipeline's retry delays: CONCURRENT_TRANSACTIONS, which the coordinator answers right after a commit, is
  // retried within milliseconds; other errors keep the client's default second (kafkaClientDefaults, not imported:
  // that would load core here).
  retryDelay: transactionalRetryDelay(1_000),
});
type Transaction = Awaited<ReturnType<typeof producer.beginTransaction>>;

const stop = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
/** The first failure of a commit running beside the loop; it stops the loop, which then exits 3. */
let failed: Error | undefined;
const fail = (error: unknown): void => {
  failed ??= error instanceof Error ? error : new Error(String(error));
  stop.abort();
};

/**
 * Wakes the batch reader when the stream has data. The listener stays attached for the stream's life: with none
 * attached the client's stream counts as unconsumed (readableFlowing null), skips its next fetch without pushing, and
 * Node then never asks it to read again (as the Kafka source found too).
 */
function readableSignal(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>): (timeoutMs: number, signal: AbortSignal) => Promise<void> {
  let wake: (() => void) | undefined;
  stream.on('readable', () => wake?.());
  return (timeoutMs, signal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        wake = undefined;
        resolve();
      };
      const timer = timeoutMs === Infinity ? undefined : setTimeout(done, timeoutMs);
      wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
}

/**
 * Up to `batchSize` records: what is buffered, then more until `lingerMs` after the first one. Empty when no record
 * came by `until` (when the open transaction is due) or the loop stops.
 */
async function nextBatch(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>, readable: ReturnType<typeof readableSignal>, until: number): Promise<In[]> {
  const batch: In[] = [];
  let deadline = until;
  while (batch.length < batchSize && !stop.signal.aborted && !stream.destroyed) {
    const message = stream.read() as In | null;
    if (message !== null) {
      if (batch.length === 0) deadline = performance.now() + lingerMs;
      batch.push(message);
      continue;
    }
    const wait = deadline - performance.now();
    if (wait <= 0) break;
    await readable(wait, stop.signal);
  }
  return batch;
}

const partitionOf = (message: In): string => `${message.topic}:${message.partition}`;

/** The JSON round trip the pipeline's decode and produce do; a value that is not JSON (--records) goes as it came. */
function reencoded(value: Buffer | undefined): Buffer | undefined {
  if (!value) return value;
  try {
    return Buffer.from(JSON.stringify(JSON.parse(value.toString())));
  } catch {
    return value;
  }
}

const outbound = (message: In): Out => ({
  topic: config.outputTopic,
  key: message.key,
  value: reencoded(message.value) as Buffer,
  headers: message.headers,
});

/** alo: the newest record per partition of the acknowledged batches not committed yet. */
const acknowledged = new Map<string, In>();
/** alo: the commit request in flight; after a failure it stays set, so no later offsets are committed. */
let offsetCommit: Promise<void> | undefined;
let offsetTimer: NodeJS.Timeout | undefined;
let lastOffsetCommitAt = -Infinity;

/** Commits the acknowledged offsets now, or schedules it for `commitIntervalMs` after the last request. */
function commitAcknowledged(): void {
  if (offsetCommit || offsetTimer || acknowledged.size === 0) return;
  const wait = lastOffsetCommitAt + commitIntervalMs - performance.now();
  if (wait > 0) {
    offsetTimer = setTimeout(() => {
      offsetTimer = undefined;
      commitAcknowledged();
    }, wait);
    return;
  }
  const offsets = [...acknowledged.values()].map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset + 1n, leaderEpoch: m.leaderEpoch }));
  acknowledged.clear();
  lastOffsetCommitAt = performance.now();
  offsetCommit = consumer.commit({ offsets }).then(() => {
    offsetCommit = undefined;
    commitAcknowledged();
  }, fail);
}

async function produceBatch(batch: readonly In[]): Promise<void> {
  await producer.send({ messages: batch.map(outbound) });
  for (const message of batch) acknowledged.set(partitionOf(message), message);
  commitAcknowledged();
}

/** At stop: what is acknowledged, committed without waiting for the interval. */
async function flushOffsets(): Promise<void> {
  clearTimeout(offsetTimer);
  offsetTimer = undefined;
  await offsetCommit;
  lastOffsetCommitAt = -Infinity;
  commitAcknowledged();
  await offsetCommit;
}

/** eos: the open transaction, when it began and the newest record per partition sent in it. */
let open: { readonly transaction: Transaction; readonly began: number; readonly last: Map<string, In> } | undefined;
/** eos: the last transaction's commit; the producer holds one transaction at a time, so the next begins after it. */
let ending: Promise<void> = Promise.resolve();

async function sendInTransaction(batch: readonly In[]): Promise<void> {
  const messages = batch.map(outbound);
  if (!open) {
    await ending;
    open = { transaction: await producer.beginTransaction(), began: performance.now(), last: new Map() };
  }
  await open.transaction.send({ messages });
  for (const message of batch) open.last.set(partitionOf(message), message);
}

/** The open transaction gets the group's offsets and commits, while the loop goes on reading. */
function endTransaction(): void {
  if (!open) return;
  const { transaction, last } = open;
  open = undefined;
  ending = (async () => {
    try {
      await transaction.addConsumer(consumer);
      for (const message of last.values()) await transaction.addOffset(message);
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => {});
      throw error;
    }
  })();
  void ending.catch(fail);
}

const { server, url } = await serveHealthAndMetrics(config.http.port, () => (consumer.assignments?.length ?? 0) > 0);
logger.warn({ url, pid: process.pid }, 'listening');
let exitCode = 0;
try {
  const stream = await consumer.consume({
    topics: [...config.topics],
    mode: MessagesStreamModes.COMMITTED,
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
    autocommit: false,
    maxWaitTime: fetchMaxWaitMs,
    highWaterMark: 5_000,
  });
  stream.on('error', (error) => logger.warn({ error: String(error) }, 'consumer stream error'));
  const readable = readableSignal(stream);
  while (!stop.signal.aborted) {
    if (stream.destroyed) throw new Error('the consumer stream closed');
    const batch = await nextBatch(stream, readable, open ? open.began + commitIntervalMs : Infinity);
    if (!atomic) {
      if (batch.length > 0) await produceBatch(batch);
      continue;
    }
    if (batch.length > 0) await sendInTransaction(batch);
    if (open && performance.now() - open.began >= commitIntervalMs) endTransaction();
  }
  if (failed) throw failed;
  if (atomic) {
    endTransaction();
    await ending;
  } else {
    await flushOffsets();
  }
  if (failed) throw failed;
  await stream.close();
} catch (error) {
  await open?.transaction.abort().catch(() => {});
  logger.error({ error: String(error) }, 'raw loop failed');
  exitCode = 3;
}
await consumer.close(true).catch(() => {});
await producer.close().catch(() => {});
server.close();
logger.warn({ exitCode }, 'stopped');
process.exit(exitCode);
