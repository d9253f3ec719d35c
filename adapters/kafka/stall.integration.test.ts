// The progress watchdog on a real broker: a batch held in the transform (user code that does not return) with records
// waiting is reported stalled, naming the stage, and the source reopens its stream; once the transform returns, the
// partition commits again and the stall clears. And a client stream that stops fetching while records arrive (paused
// here, as a stuck fetch loop would be) is found by asking the broker, and reopened; an idle input written in
// transactions (a marker after the last record, an aborted transaction) is not taken for a stall.
import { describe, expect, it } from 'vitest';
import { MemoryMetrics, commit, createMetrics, decode, json, named, pipeline, pipelineContext, transform } from '../../core/index.ts';
import type { LogFields } from '../../core/index.ts';
import { Producer } from '@platformatic/kafka';
import type { MessagesStream } from '@platformatic/kafka';
import { brokers, freshTopics, produceRecords, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

const count = 40;

describe.concurrent('kafka source: progress watchdog', () => {
  for (const failureMode of ['skip-and-log', 'atomic'] as const) {
    it(`${failureMode}: reports a partition whose batch does not move, with its stage, reopens the stream, and clears once it commits`, async () => {
      const topics = await freshTopics(`stall-${failureMode}`, 1, ['in']);
      await produceRecords(topics.in as string, Array.from({ length: count }, (_, id) => ({ key: 'k', value: { id } })));
      const recorded = new MemoryMetrics();
      const lines: { message: string; fields: LogFields }[] = [];
      const keep = (fields: LogFields, message: string) => void lines.push({ message, fields });
      const context = pipelineContext({
        failureMode,
        consumerGroup: unique('stall'),
        platform: { metrics: createMetrics(recorded), logger: { debug() {}, info: keep, warn: keep, error: keep } },
      });
      const transport = new KafkaTransport({
        brokers,
        groupId: context.consumerGroup,
        topics: [topics.in as string],
        failureMode,
        instanceId: unique('s'),
        batchSize: 10,
        commitIntervalMs: 20,
        stallTimeoutMs: 3_000,
        context,
      });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let held = false;
      const stop = new AbortController();
      const seen = new Set<number>();
      const run = pipeline(
        transport.source(stop.signal),
        named('decode', decode(json<{ id: number }>())),
        named(
          'transform',
          transform(
            async (event: { id: number }) => {
              // The first batch stops here until the watchdog has reported it.
              if (!held) {
                held = true;
                await released;
              }
              seen.add(event.id);
              return event;
            },
            { timeoutMs: 0, concurrency: 1 },
          ),
        ),
        commit(),
      );
      const stalled = () => recorded.value('orchestron_partition_stalled', { topic: topics.in as string, partition: '0' });
      const watch = setInterval(() => {
        if (stalled() === 1) release();
      }, 100);
      try {
        for await (const _ of run) {
          if (seen.size >= count) stop.abort();
        }
      } finally {
        clearInterval(watch);
        await transport.close();
      }
      const report = lines.find((line) => line.message.startsWith('source partition stalled'));
      expect(report?.fields).toMatchObject({ topic: topics.in, partition: 0, lastStage: 'transform' });
      expect(lines.some((line) => line.message === 'source partition moving again')).toBe(true);
      expect(stalled()).toBe(0);
      expect(transport.partitionProblems()).toEqual({ blocked: [], stalled: [] });
      expect(seen.size).toBe(count);
    }, 60_000);
  }

  for (const failureMode of ['skip-and-log', 'atomic'] as const) {
    it(`${failureMode}: a stream that stops fetching while records arrive is found by asking the broker, and reopened`, async () => {
      const topics = await freshTopics(`stuck-${failureMode}`, 1, ['in']);
      const input = topics.in as string;
      await produceRecords(input, Array.from({ length: count }, (_, id) => ({ key: 'k', value: { id } })));
      const recorded = new MemoryMetrics();
      const lines: { message: string; fields: LogFields }[] = [];
      const keep = (fields: LogFields, message: string) => void lines.push({ message, fields });
      const context = pipelineContext({
        failureMode,
        consumerGroup: unique('stuck'),
        platform: { metrics: createMetrics(recorded), logger: { debug() {}, info: keep, warn: keep, error: keep } },
      });
      const transport = new KafkaTransport({
        brokers,
        groupId: context.consumerGroup,
        topics: [input],
        failureMode,
        instanceId: unique('s'),
        batchSize: 10,
        commitIntervalMs: 20,
        stallTimeoutMs: 3_000,
        context,
      });
      // The streams the source opens, to stop the current one's fetching from outside (the client's own stream).
      const streams: MessagesStream<Buffer, Buffer, string, Buffer>[] = [];
      type Opened = (error: Error | null, stream?: MessagesStream<Buffer, Buffer, string, Buffer>) => void;
      const consume = transport.consumer.consume.bind(transport.consumer) as (options: unknown, callback: Opened) => void;
      (transport.consumer as unknown as { consume: typeof consume }).consume = (options, callback) =>
        consume(options, (error, stream) => {
          if (stream) streams.push(stream);
          callback(error, stream);
        });
      const stop = new AbortController();
      const seen = new Set<number>();
      let paused = false;
      const run = pipeline(
        transport.source(stop.signal),
        named('decode', decode(json<{ id: number }>())),
        named(
          'transform',
          transform((event: { id: number }) => {
            seen.add(event.id);
            return event;
          }),
        ),
        commit(),
      );
      try {
        for await (const result of run) {
          if (!result.committed) continue;
          if (!paused && seen.size >= count) {
            paused = true;
            streams.at(-1)?.pause();
            // The fetch in flight (a long poll) may still answer; the records come after it.
            await new Promise((resolve) => setTimeout(resolve, 1_500));
            await produceRecords(input, Array.from({ length: count }, (_, id) => ({ key: 'k', value: { id: count + id } })));
          }
          if (seen.size >= 2 * count) stop.abort();
        }
      } finally {
        await transport.close();
      }
      const report = lines.find((line) => line.message.startsWith('source partition stalled'));
      expect(report?.fields).toMatchObject({ topic: input, partition: 0, lastStage: 'source (waiting for records)' });
      expect(lines.some((line) => line.message === 'kafka consumer stopped fetching; reopening it at the committed offsets')).toBe(false);
      expect(streams.length).toBeGreaterThan(1);
      expect(recorded.value('orchestron_partition_stalled', { topic: input, partition: '0' })).toBe(0);
      expect(seen.size).toBe(2 * count);
    }, 60_000);
  }

  it('an idle input written in transactions, a marker and an aborted transaction past the last commit: no stall, one quiet reopen', async () => {
    const topics = await freshTopics('stall-markers', 1, ['in']);
    const input = topics.in as string;
    const producer = new Producer({
      clientId: unique('stall-writer'),
      bootstrapBrokers: brokers,
      idempotent: true,
      transactionalId: unique('stall-writer'),
      producerId: -1n,
      producerEpoch: -1,
    });
    try {
      for (const abort of [false, true]) {
        const transaction = await producer.beginTransaction();
        await transaction.send({ messages: Array.from({ length: 10 }, (_, id) => ({ topic: input, key: Buffer.from('k'), value: Buffer.from(JSON.stringify({ id })) })) });
        if (abort) await transaction.abort();
        else await transaction.commit();
      }
    } finally {
      await producer.close();
    }
    const lines: { message: string; fields: LogFields }[] = [];
    const keep = (fields: LogFields, message: string) => void lines.push({ message, fields });
    const context = pipelineContext({ failureMode: 'atomic', consumerGroup: unique('stall-markers'), platform: { logger: { debug() {}, info: keep, warn: keep, error: keep } } });
    const transport = new KafkaTransport({ brokers, groupId: context.consumerGroup, topics: [input], failureMode: 'atomic', instanceId: unique('m'), stallTimeoutMs: 1_000, context });
    let opened = 0;
    const consume = transport.consumer.consume.bind(transport.consumer) as (options: unknown, callback: unknown) => void;
    (transport.consumer as unknown as { consume: typeof consume }).consume = (options, callback) => {
      opened++;
      consume(options, callback);
    };
    const stop = new AbortController();
    let committed = 0;
    const run = pipeline(transport.source(stop.signal), decode(json()), commit());
    // Idle after the first commit for long enough for the watchdog to look twice (a probe at most every 10 s).
    const idle = setTimeout(() => stop.abort(), 25_000);
    try {
      for await (const result of run) if (result.committed) committed += result.ok;
    } finally {
      clearTimeout(idle);
      await transport.close();
    }
    expect(committed).toBe(10);
    expect(lines.filter((line) => line.message.startsWith('source partition stalled'))).toEqual([]);
    expect(lines.filter((line) => line.message.includes('without handing them out'))).toEqual([]);
    expect(opened).toBe(2);
  }, 60_000);
});
