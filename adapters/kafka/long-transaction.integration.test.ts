import { describe, expect, it } from 'vitest';
import { commit, decode, json, pipeline, pipelineContext, produce, transform } from '../../core/index.ts';
import type { BatchResult } from '../../core/index.ts';
import { brokers, committedOffsetsOf, freshTopics, parsedIds, produceRecords, readCommittedWithKcat, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

/** Longer than the 5 s the client used to send as the transaction timeout, plus the coordinator's 10 s abort sweep. */
const slowMs = 16_000;

describe('kafka atomic mode: a batch whose stages take longer than 5 s', () => {
  it('commits once, in one transaction that the coordinator does not abort', { timeout: 120_000 }, async () => {
    const topics = await freshTopics('long-txn', 1);
    const count = 20;
    await produceRecords(topics.in as string, Array.from({ length: count }, (_, id) => ({ key: `k${id}`, value: { id } })));
    const context = pipelineContext({ failureMode: 'atomic', consumerGroup: unique('long-txn') });
    const transport = new KafkaTransport({ brokers, groupId: context.consumerGroup, topics: [topics.in as string], instanceId: unique('long'), context });
    const stop = new AbortController();
    const results: BatchResult[] = [];
    let ok = 0;
    let slowed = false;
    try {
      for await (const result of pipeline(
        transport.source(stop.signal),
        decode(json<{ id: number }>()),
        // The first batch's produce goes out at once (the transaction begins), then the batch waits: its transaction stays open.
        produce(transport.sink, { topic: topics.out as string }),
        transform(async (value) => {
          if (!slowed) {
            slowed = true;
            await new Promise((resolve) => setTimeout(resolve, slowMs));
          }
          return value;
        }),
        commit(),
      )) {
        results.push(result);
        ok += result.ok;
        if (ok >= count || results.length > 20) stop.abort();
      }
    } finally {
      await transport.close();
    }
    expect(results.filter((r) => !r.committed).map((r) => r.error?.message)).toEqual([]);
    expect(ok).toBe(count);
    expect(await committedOffsetsOf(context.consumerGroup, topics.in as string, [BigInt(count)])).toEqual([BigInt(count)]);
    const output = await readCommittedWithKcat(topics.out as string, count);
    expect(parsedIds(output).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, id) => id));
  });
});
