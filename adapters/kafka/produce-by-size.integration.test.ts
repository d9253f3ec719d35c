import { Producer, compatibilityPartitioner } from '@platformatic/kafka';
import { tracingChannel } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders, MemoryTracker, ValidationError, commit, contextDefaults, failurePolicy, deadLetter, decode, json, pipeline, pipelineContext, produce, track, transform } from '../../core/index.ts';
import type { BatchResult, FailureMode } from '../../core/index.ts';
import { ensureTopics } from './admin.ts';
import { ParkReasonHeader, replay } from './replay.ts';
import { rememberFreshTopics } from './fresh-topics.ts';
import type { KafkaMessage } from './records.ts';
import { brokers, committedOffsetsOf, kcatRead, keepingLogger, parsedIds, produceRecords, readTopic, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

interface Event {
  readonly id: number;
  readonly fail?: boolean;
  readonly pad?: string;
}

const kb600 = 'x'.repeat(600 * 1024);

/** Fresh `<base>-in`, `-out` and `-dlq` topics, each with its partition count and `max.message.bytes` if given. */
async function topicsWith(prefix: string, specs: Record<'in' | 'out' | 'dlq', { partitions: number; maxMessageBytes?: number }>) {
  const base = unique(prefix);
  rememberFreshTopics(brokers.join(','), base);
  const names = { in: `${base}-in`, out: `${base}-out`, dlq: `${base}-dlq` };
  await ensureTopics(
    brokers,
    (['in', 'out', 'dlq'] as const).map((suffix) => {
      const spec = specs[suffix];
      return {
        name: names[suffix],
        partitions: spec.partitions,
        ...(spec.maxMessageBytes ? { configs: { 'max.message.bytes': String(spec.maxMessageBytes) } } : {}),
      };
    }),
  );
  return names;
}

/** Produces the records in order, in sends of at most ~500 KB each (produceRecords would send 600 KB values together). */
async function produceInput(topic: string, records: readonly { key: string; value: Event }[]): Promise<void> {
  let chunk: { key: string; value: Event }[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = JSON.stringify(record.value).length;
    if (chunk.length > 0 && bytes + size > 500 * 1024) {
      await produceRecords(topic, chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += size;
  }
  if (chunk.length > 0) await produceRecords(topic, chunk);
}

/** Produces keyed records placed by the key's hash as the pipeline's producer places them (Kafka's Java client's). */
async function produceKeyed(topic: string, records: readonly { key: string; value: Event }[]): Promise<void> {
  const producer = new Producer({ clientId: unique('size-input'), bootstrapBrokers: brokers, idempotent: true, partitioner: compatibilityPartitioner });
  try {
    for (let i = 0; i < records.length; i += 400) {
      const messages = records.slice(i, i + 400).map((r) => ({ topic, key: Buffer.from(r.key), value: Buffer.from(JSON.stringify(r.value)) }));
      await producer.send({ messages });
    }
  } finally {
    await producer.close();
  }
}

/** Counts the client's sends (produce calls; one request per broker) that carry records for `topic`, and their sizes. */
function countSends(topic: string) {
  const sizes: number[] = [];
  const channel = tracingChannel('plt:kafka:producer:sends');
  const handlers = {
    start(context: unknown) {
      const messages = (context as { options?: { messages?: { topic: string; value?: Buffer }[] } }).options?.messages ?? [];
      const mine = messages.filter((m) => m.topic === topic);
      if (mine.length > 0) sizes.push(mine.reduce((sum, m) => sum + (m.value?.length ?? 0), 0));
    },
    end() {},
    asyncStart() {},
    asyncEnd() {},
    error() {},
  };
  channel.subscribe(handlers);
  return { sizes, stop: () => channel.unsubscribe(handlers) };
}

interface RunOptions {
  readonly failureMode: FailureMode;
  readonly topics: { readonly in: string; readonly out: string; readonly dlq: string };
  readonly count: number;
  readonly batchSize?: number;
}

/** The CLI's stage order over a real broker: decode → transform (fails `fail: true`) → produce → dead letter → track → commit. */
async function runPipeline({ failureMode, topics, count, batchSize }: RunOptions) {
  const logger = keepingLogger();
  const context = pipelineContext({ failureMode, consumerGroup: unique('g'), platform: { logger } });
  const transport = new KafkaTransport({
    brokers,
    groupId: context.consumerGroup,
    topics: [topics.in],
    failureMode,
    instanceId: unique('i'),
    ...(batchSize ? { batchSize } : {}),
    // Batches that gather several fetches: the records that together exceed a limit travel in one.
    lingerMs: 200,
    commitIntervalMs: 200,
    context,
  });
  const tracker = new MemoryTracker();
  const tracking = track(tracker, { strategy: 'OUTBOX', capturePayload: false });
  const sends = countSends(topics.out);
  const stop = new AbortController();
  const results: BatchResult[] = [];
  let settled = 0;
  const started = performance.now();
  const run = pipeline(
    transport.source(stop.signal),
    tracking.received,
    decode(json<Event>()),
    transform((e: Event) => {
      if (e.fail) throw new ValidationError(`record ${e.id} is marked to fail`);
      return e;
    }),
    produce(transport.sink, { topic: topics.out }),
    deadLetter(transport.sink, { topic: topics.dlq }),
    tracking,
    commit(),
  );
  const watchdog = setTimeout(() => stop.abort(), 90_000);
  try {
    for await (const result of run) {
      results.push(result);
      if (result.committed) settled += result.ok + Object.values(result.dropped).reduce((a, b) => a + b, 0);
      if (settled >= count) stop.abort();
    }
  } finally {
    clearTimeout(watchdog);
    sends.stop();
    await transport.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { results, settled, seconds, tracker, logger, sends: sends.sizes, group: context.consumerGroup };
}

/** Whether the mode's output commits in transactions, so that only a read_committed reader (kcat) sees it whole. */
const transactional = (failureMode: FailureMode): boolean => failurePolicy(failureMode, contextDefaults.maxDeliveries).transactional;

const read = (failureMode: FailureMode, topic: string, distinctIds: number): Promise<KafkaMessage[]> =>
  transactional(failureMode) ? kcatRead(brokers.join(','), topic, { distinctIds, timeoutMs: 60_000 }) : readTopic(topic, { distinctIds });

const header = (message: KafkaMessage | undefined, name: string) => message?.headers.get(name)?.toString();

describe('kafka: produce by size', () => {
  for (const failureMode of ['skip-and-log', 'atomic'] as const) {
    it(`${failureMode}: two failed 600 KB records among 200 small ones are dead-lettered once each, and the partition commits to its end`, async () => {
      const topics = await topicsWith(`size-dlq-${failureMode}`, { in: { partitions: 1 }, out: { partitions: 1 }, dlq: { partitions: 1 } });
      const count = 202;
      const bad = [70, 140];
      const failsSmall = [5, 199];
      await produceInput(
        topics.in,
        Array.from({ length: count }, (_, id) => ({
          key: `k${id}`,
          value: bad.includes(id) ? { id, fail: true, pad: kb600 } : { id, ...(failsSmall.includes(id) ? { fail: true } : {}) },
        })),
      );
      const failed = [...bad, ...failsSmall].sort((a, b) => a - b);
      const { results, settled, tracker, seconds, group } = await runPipeline({ failureMode, topics, count, batchSize: 1_000 });
      expect(settled).toBe(count);
      expect(results.filter((r) => !r.committed).map((r) => r.error?.message)).toEqual([]);
      expect(await committedOffsetsOf(group, topics.in, [BigInt(count)])).toEqual([BigInt(count)]);

      const dead = await read(failureMode, topics.dlq, failed.length);
      expect(parsedIds(dead).sort((a, b) => a - b)).toEqual(failed);
      expect(dead.map((m) => header(m, DeadLetterHeaders.category))).toEqual(failed.map(() => 'VALIDATION_ERROR'));
      expect(dead.filter((m) => m.value.length > 600 * 1024).length).toBe(2);
      const output = await read(failureMode, topics.out, count - failed.length);
      expect(parsedIds(output).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, id) => id).filter((id) => !failed.includes(id)));
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: count - failed.length, FAILED: failed.length });
      console.log(`${failureMode}: 2 x 600 KB dead letters among ${count} records settled in ${seconds.toFixed(1)} s, ${results.length} batches`);
    });
  }

  for (const failureMode of ['skip-and-log', 'atomic'] as const) {
    it(`${failureMode}: two valid 600 KB records among 200 small ones are split over requests, produced once, committed`, async () => {
      const topics = await topicsWith(`size-out-${failureMode}`, { in: { partitions: 1 }, out: { partitions: 1 }, dlq: { partitions: 1 } });
      const count = 202;
      const big = [60, 61];
      await produceInput(
        topics.in,
        Array.from({ length: count }, (_, id) => ({ key: `k${id}`, value: big.includes(id) ? { id, pad: kb600 } : { id } })),
      );
      const { results, settled, group, sends, seconds } = await runPipeline({ failureMode, topics, count, batchSize: 1_000 });
      expect(settled).toBe(count);
      expect(results.filter((r) => !r.committed).map((r) => r.error?.message)).toEqual([]);
      expect(await committedOffsetsOf(group, topics.in, [BigInt(count)])).toEqual([BigInt(count)]);
      const output = await read(failureMode, topics.out, count);
      expect(parsedIds(output)).toEqual(Array.from({ length: count }, (_, id) => id));
      expect(Math.max(...sends)).toBeLessThan(1_048_588);
      console.log(`${failureMode}: ${count} records with 2 x 600 KB in ${results.length} batch(es) became ${sends.length} produce calls to the output, ${seconds.toFixed(1)} s`);
    });

    it(`${failureMode}: keyed ~1 KB records, 6 partitions in and out, default batch size: output exact`, async () => {
      const topics = await topicsWith(`size-keyed-${failureMode}`, { in: { partitions: 6 }, out: { partitions: 6 }, dlq: { partitions: 1 } });
      const count = 6_000;
      const pad = 'p'.repeat(1_030);
      await produceKeyed(topics.in, Array.from({ length: count }, (_, id) => ({ key: `key-${id % 600}`, value: { id, pad } })));
      const { results, settled, group, sends, seconds, logger } = await runPipeline({ failureMode, topics, count });
      expect(settled).toBe(count);
      expect(results.filter((r) => !r.committed).map((r) => r.error?.message)).toEqual([]);
      expect(logger.lines.filter((line) => line === 'record failed')).toEqual([]);
      const offsets = await committedOffsetsOf(group, topics.in, (read) => read.reduce((a, b) => a + b, 0n) === BigInt(count));
      expect(offsets.reduce((a, b) => a + b, 0n)).toBe(BigInt(count));
      const output = await read(failureMode, topics.out, count);
      const ids = parsedIds(output);
      expect(ids.length).toBe(count);
      expect(new Set(ids).size).toBe(count);
      const committedBatches = results.filter((r) => r.committed && r.ok > 0).length;
      console.log(
        `${failureMode}: ${count} keyed ~1 KB records in ${committedBatches} batches became ${sends.length} produce calls to the output ` +
          `(largest ${Math.round(Math.max(...sends) / 1024)} KB of values), ${seconds.toFixed(1)} s`,
      );
    });

    it(`${failureMode}: a record larger than the output topic takes is dead-lettered with RECORD_TOO_LARGE, cut to fit the dead-letter topic`, async () => {
      const outLimit = 100_000;
      const dlqLimit = 50_000;
      const topics = await topicsWith(`size-one-${failureMode}`, {
        in: { partitions: 1 },
        out: { partitions: 1, maxMessageBytes: outLimit },
        dlq: { partitions: 1, maxMessageBytes: dlqLimit },
      });
      const count = 101;
      const huge = 50;
      const hugeValue = { id: huge, pad: 'h'.repeat(200_000) };
      await produceInput(topics.in, Array.from({ length: count }, (_, id) => ({ key: `k${id}`, value: id === huge ? hugeValue : { id } })));
      const { results, settled, group, tracker } = await runPipeline({ failureMode, topics, count, batchSize: 1_000 });
      expect(settled).toBe(count);
      expect(results.filter((r) => !r.committed).map((r) => r.error?.message)).toEqual([]);
      expect(await committedOffsetsOf(group, topics.in, [BigInt(count)])).toEqual([BigInt(count)]);
      const output = await read(failureMode, topics.out, count - 1);
      expect(parsedIds(output)).toEqual(Array.from({ length: count }, (_, id) => id).filter((id) => id !== huge));

      const dead = transactional(failureMode) ? await kcatRead(brokers.join(','), topics.dlq, { timeoutMs: 10_000 }) : await readTopic(topics.dlq, 1, 10_000);
      expect(dead.length).toBe(1);
      const letter = dead[0];
      expect(header(letter, DeadLetterHeaders.code)).toBe('RECORD_TOO_LARGE');
      expect(header(letter, DeadLetterHeaders.category)).toBe('PROCESSING_ERROR');
      expect(header(letter, DeadLetterHeaders.retryable)).toBe('false');
      expect(Number(header(letter, DeadLetterHeaders.recordBytes))).toBeGreaterThan(200_000);
      expect(header(letter, DeadLetterHeaders.limitBytes)).toBe(String(outLimit));
      expect(header(letter, DeadLetterHeaders.message)).toContain(topics.out);
      expect(header(letter, DeadLetterHeaders.sourceValueBytes)).toBe(String(JSON.stringify(hugeValue).length));
      expect(header(letter, DeadLetterHeaders.sourceValueTruncated)).toBe('true');
      expect(letter?.value.length).toBeLessThan(dlqLimit);
      expect(letter?.value.length).toBeGreaterThan(dlqLimit - 2_000);
      expect(JSON.stringify(hugeValue).startsWith(letter?.value.toString() ?? '-')).toBe(true);
      const [row] = await tracker.failures();
      expect(row).toMatchObject({ status: 'FAILED', category: 'PROCESSING_ERROR', offset: BigInt(huge) });
      expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: count - 1, FAILED: 1 });
      // A replay never republishes the cut value: the dead letter is parked.
      const replayed = await replay({ brokers, dlqTopic: topics.dlq, to: `${topics.dlq}-replayed` });
      expect(replayed).toMatchObject({ read: 1, replayed: 0, parked: 1 });
      const [parked] = await readTopic(`${topics.dlq}-parking`, 1, 10_000);
      expect(header(parked, ParkReasonHeader)).toContain('cut to fit');
    });
  }
});
