// The progress watchdog on a real broker: a batch held in the transform (user code that does not return) with records
// waiting is reported stalled, naming the stage, and the source reopens its stream; once the transform returns, the
// partition commits again and the stall clears.
import { describe, expect, it } from 'vitest';
import { MemoryMetrics, commit, createMetrics, decode, json, named, pipeline, pipelineContext, transform } from '../../core/index.ts';
import type { LogFields } from '../../core/index.ts';
import { brokers, freshTopics, produceRecords, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

const count = 40;

describe('kafka source: progress watchdog', () => {
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
});
