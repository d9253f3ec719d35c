// Batching against the commit interval: records are handed over as they come (lingerMs), not held for the interval;
// exactly-once, one transaction spans the interval's batches and a failure in any of them redelivers them all.
import { describe, expect, it } from 'vitest';
import { commit, decode, json, pipeline, pipelineContext, produce, transform } from '../../core/index.ts';
import type { BatchResult } from '../../core/index.ts';
import { brokers, freshTopics, parsedIds, produceRecords, readCommittedWithKcat, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

const untilAssigned = async (transport: KafkaTransport): Promise<void> => {
  for (let waited = 0; transport.assignments().every((a) => a.partitions.length === 0); waited += 50) {
    if (waited > 30_000) throw new Error('no partition assigned within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('kafka batching and the commit interval', () => {
  it('an idle source hands a lone record over within lingerMs and a fetch, not after the commit interval', async () => {
    const topics = await freshTopics('linger', 1, ['in']);
    const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: unique('g') });
    // A commit interval far longer than a fetch: a record held for it would take 5 s.
    const transport = new KafkaTransport({ brokers, groupId: context.consumerGroup, topics: [topics.in as string], instanceId: unique('i'), commitIntervalMs: 5_000, context });
    const stop = new AbortController();
    const batches = transport.source(stop.signal)[Symbol.asyncIterator]();
    try {
      const first = batches.next();
      await untilAssigned(transport);
      // Idle for longer than the broker holds an empty fetch, so the record arrives during a parked fetch.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const sentAt = performance.now();
      await produceRecords(topics.in as string, [{ key: 'k', value: { id: 1 } }]);
      const step = await first;
      const handedOverMs = performance.now() - sentAt;
      expect(step.done).toBe(false);
      if (step.done) return;
      expect(step.value.records.map((r) => r.offset)).toEqual([0n]);
      // lingerMs (2) plus the fetch that carried it, with room for a loaded machine; far below the interval.
      expect(handedOverMs).toBeLessThan(1_500);
      console.log(`lone record on an idle source: handed over ${handedOverMs.toFixed(1)} ms after its send returned`);
      await step.value.control.commit();
    } finally {
      stop.abort();
      await batches.return?.(undefined);
      await transport.close();
    }
  }, 60_000);

  it('exactly-once: the batches of one commit interval share a transaction; one failing redelivers them all, and the output is exact', async () => {
    const count = 60;
    const failing = 35;
    const topics = await freshTopics('span', 1);
    await produceRecords(topics.in as string, Array.from({ length: count }, (_, id) => ({ key: `k${id}`, value: { id } })));
    const context = pipelineContext({ failureMode: 'atomic', consumerGroup: unique('g') });
    // Batches of 10 records in an interval long enough for all six to join the first transaction.
    const transport = new KafkaTransport({ brokers, groupId: context.consumerGroup, topics: [topics.in as string], instanceId: unique('i'), batchSize: 10, lingerMs: 0, commitIntervalMs: 2_000, context });
    const seen = new Map<number, number>();
    const stop = new AbortController();
    const results: BatchResult[] = [];
    let done = 0;
    const run = pipeline(
      transport.source(stop.signal),
      decode(json<{ id: number }>()),
      transform(
        (value: { id: number }, record) => {
          seen.set(value.id, (seen.get(value.id) ?? 0) + 1);
          if (value.id === failing && record.attempts === 1) throw new Error(`record ${failing} fails on its first delivery`);
          return value;
        },
        { retry: { attempts: 1 } },
      ),
      produce(transport.sink, { topic: topics.out as string }),
      commit(),
    );
    const watchdog = setTimeout(() => stop.abort(), 60_000);
    try {
      for await (const result of run) {
        results.push(result);
        if (result.committed) done += result.ok;
        if (done >= count) stop.abort();
      }
    } finally {
      clearTimeout(watchdog);
      await transport.close();
    }
    expect(done).toBe(count);
    const firstCommitted = results.findIndex((r) => r.committed);
    const abortedFirst = results.slice(0, firstCommitted);
    // The batches before the failing one had sent their records into the transaction: aborted with it, not committed.
    expect(abortedFirst.filter((r) => r.error?.message.startsWith('another batch in the same transaction failed')).length).toBeGreaterThanOrEqual(3);
    expect(abortedFirst.some((r) => r.error?.message.includes(`record ${failing} fails`))).toBe(true);
    expect(seen.get(0)).toBe(2);
    // Read with read_committed by kcat: what the aborted transaction held is not there; every record once.
    const output = parsedIds(await readCommittedWithKcat(topics.out as string, count, 30_000));
    expect(output).toEqual(Array.from({ length: count }, (_, id) => id));
  }, 90_000);
});
