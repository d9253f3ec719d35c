// The ceiling the pipeline is measured against: a hand-written @platformatic/kafka consume → produce loop doing the
// same work (JSON decode, no-op, JSON encode, keys and headers kept), with the same batching and commit interval:
// offsets committed after each batch for alo (skip-and-log), one transaction per batch for eos (atomic).
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
import { readPipelineConfig } from './pipeline-config.ts';
import { serveHealthAndMetrics } from './process-http.ts';

type In = Message<Buffer, Buffer, Buffer, Buffer>;
type Out = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

const config = readPipelineConfig(process.argv.slice(2));
const logger = pino({ level: config.log.level });
const atomic = config.failureMode === 'atomic';
const { batchSize, commitIntervalMs } = config.kafka;
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
});

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

/** Up to `batchSize` records: what is buffered, then more until `commitIntervalMs` after the first one. */
async function nextBatch(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>, readable: ReturnType<typeof readableSignal>, signal: AbortSignal): Promise<In[]> {
  const batch: In[] = [];
  let deadline = Infinity;
  while (batch.length < batchSize && !signal.aborted && !stream.destroyed) {
    const message = stream.read() as In | null;
    if (message !== null) {
      batch.push(message);
      if (deadline === Infinity) deadline = performance.now() + commitIntervalMs;
      continue;
    }
    const wait = deadline - performance.now();
    if (wait <= 0) break;
    await readable(wait, signal);
  }
  return batch;
}

/** The record after each partition's last one: what the batch commits. */
function lastPerPartition(batch: readonly In[]): In[] {
  const last = new Map<string, In>();
  for (const message of batch) last.set(`${message.topic}:${message.partition}`, message);
  return [...last.values()];
}

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

async function commitBatch(batch: readonly In[]): Promise<void> {
  const messages = batch.map(outbound);
  const last = lastPerPartition(batch);
  if (!atomic) {
    await producer.send({ messages });
    await consumer.commit({ offsets: last.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset + 1n, leaderEpoch: m.leaderEpoch })) });
    return;
  }
  const transaction = await producer.beginTransaction();
  try {
    await transaction.send({ messages });
    await transaction.addConsumer(consumer);
    for (const message of last) await transaction.addOffset(message);
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => {});
    throw error;
  }
}

const stop = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());

const { server, url } = await serveHealthAndMetrics(config.http.port, () => (consumer.assignments?.length ?? 0) > 0);
logger.warn({ url, pid: process.pid }, 'listening');
let exitCode = 0;
try {
  const stream = await consumer.consume({
    topics: [...config.topics],
    mode: MessagesStreamModes.COMMITTED,
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
    autocommit: false,
    maxWaitTime: Math.min(500, Math.max(10, commitIntervalMs)),
    highWaterMark: 5_000,
  });
  stream.on('error', (error) => logger.warn({ error: String(error) }, 'consumer stream error'));
  const readable = readableSignal(stream);
  while (!stop.signal.aborted) {
    const batch = await nextBatch(stream, readable, stop.signal);
    if (batch.length > 0) await commitBatch(batch);
  }
  await stream.close();
} catch (error) {
  logger.error({ error: String(error) }, 'raw loop failed');
  exitCode = 3;
}
await consumer.close(true).catch(() => {});
await producer.close().catch(() => {});
server.close();
logger.warn({ exitCode }, 'stopped');
process.exit(exitCode);
