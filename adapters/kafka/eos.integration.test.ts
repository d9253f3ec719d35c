import { describe, expect, it } from 'vitest';
import { commit, decode, json, pipeline, pipelineContext, produce, transform } from '../../core/index.ts';
import type { FailureMode } from '../../core/index.ts';
import { freshTopics, brokers, produceRecords, readCommittedWithKcat, readTopic, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

interface Event {
  id: number;
  seq: number;
}

async function runThrough(failureMode: FailureMode, count: number) {
  const topics = await freshTopics(`eos-${failureMode}`);
  const input = Array.from({ length: count }, (_, id) => ({ key: `k${id % 97}`, value: { id, seq: Math.floor(id / 97) } }));
  await produceRecords(topics.in as string, input);
  const context = pipelineContext({ failureMode, consumerGroup: unique('g') });
  const transport = new KafkaTransport({
    brokers,
    groupId: context.consumerGroup,
    topics: [topics.in as string],
    failureMode,
    instanceId: unique('i'),
    batchSize: 2_000,
    commitIntervalMs: 100,
    context,
  });
  const stop = new AbortController();
  let done = 0;
  const started = performance.now();
  const run = pipeline(
    transport.source(stop.signal),
    decode(json<Event>()),
    transform((e) => ({ ...e, doubled: e.id * 2 }), { concurrency: 8 }),
    produce(transport.sink, { topic: topics.out as string }),
    commit(),
  );
  for await (const result of run) {
    done += result.ok;
    if (done >= count) stop.abort();
  }
  const seconds = (performance.now() - started) / 1000;
  await transport.close();
  const output = context.failurePolicy.transactional ? await readCommittedWithKcat(topics.out as string, count) : await readTopic(topics.out as string, count);
  return { output, seconds };
}

describe('kafka transport', () => {
  for (const [mode, count] of [['atomic', 100_000], ['skip-and-log', 20_000]] as const) {
    it(`moves ${count} records through decode → transform → produce (${mode}): output exact, per-key order kept`, async () => {
      const { output, seconds } = await runThrough(mode, count);
      const ids = output.map((m) => (JSON.parse(m.value.toString()) as Event).id);
      expect(ids.length).toBe(count);
      expect(new Set(ids).size).toBe(count);
      const perKey = new Map<string, number[]>();
      for (const m of output) {
        const key = m.key.toString();
        perKey.set(key, [...(perKey.get(key) ?? []), (JSON.parse(m.value.toString()) as Event).seq]);
      }
      for (const seqs of perKey.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      console.log(`${mode}: ${count} records in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} records/s`);
    });
  }
});
