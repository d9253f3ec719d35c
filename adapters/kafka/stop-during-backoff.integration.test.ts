import { describe, expect, it } from 'vitest';
import { ProcessingError, commit, decode, json, pipeline, pipelineContext, produce, transform } from '../../core/index.ts';
import type { BatchResult, TransformFn } from '../../core/index.ts';
import { audit, committedOffsetsOf, freshTopics, outOfOrderKeys, produceRecords, readCommittedWithKcat, unique, brokers } from './testing.ts';
import { KafkaTransport } from './transport.ts';

interface Event {
  readonly id: number;
  readonly seq: number;
}

const count = 20;
const keys = 5;
/** The first record of key k2 (offset 2) fails until the first run stops; its backoff is far longer than the test. */
const failingOffset = 2n;
const backoffMs = 60_000;

describe('kafka: stopping while a record waits for its retry (orderBy key, skip-and-log)', () => {
  it('commits up to the first unfinished record without waiting for the backoff; the next run delivers from there, nothing lost', async () => {
    const topics = await freshTopics('stop-backoff', 1, ['in', 'out']);
    const input = topics.in as string;
    const output = topics.out as string;
    await produceRecords(input, Array.from({ length: count }, (_, id) => ({ key: `k${id % keys}`, value: { id, seq: Math.floor(id / keys) } })));
    const group = unique('stop-backoff');

    const runOnce = async (fn: TransformFn<Event, Event>, stop: AbortController, onResult: (result: BatchResult) => void) => {
      const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: group });
      const transport = new KafkaTransport({
        brokers,
        groupId: group,
        topics: [input],
        failureMode: 'skip-and-log',
        instanceId: unique('s'),
        batchSize: 100,
        lingerMs: 200,
        commitIntervalMs: 50,
        context,
      });
      const run = pipeline(
        transport.source(stop.signal),
        decode(json<Event>()),
        transform(fn, { orderBy: 'key', concurrency: 2, timeoutMs: 0, retry: { attempts: 5, initialDelayMs: backoffMs, jitter: 'none' } }),
        produce(transport.sink, { topic: output }),
        commit(),
      );
      const watchdog = setTimeout(() => stop.abort(), 45_000);
      try {
        for await (const result of run) onResult(result);
      } finally {
        clearTimeout(watchdog);
        await transport.close();
      }
    };

    // First run: every record but key k2's finishes; k2's first record waits for its backoff when the stop comes.
    const first = new AbortController();
    const finished = new Set<bigint>();
    const firstResults: BatchResult[] = [];
    const others = Array.from({ length: count }, (_, id) => BigInt(id)).filter((offset) => offset % BigInt(keys) !== failingOffset);
    const firstRun = runOnce(
      (event, record) => {
        if (record.offset === failingOffset) throw new ProcessingError('k2 is not ready yet', { retryable: true });
        finished.add(record.offset);
        if (others.every((offset) => finished.has(offset))) first.abort();
        return event;
      },
      first,
      (result) => firstResults.push(result),
    );
    const stoppedAt = performance.now();
    await firstRun;
    expect(performance.now() - stoppedAt).toBeLessThan(backoffMs / 2);
    expect(finished.has(failingOffset)).toBe(false);
    // One batch, committed up to the record that waited: offsets 0 and 1 (keys k0, k1) only.
    expect(firstResults.map((r) => [r.committed, r.ok])).toEqual([[true, Number(failingOffset)]]);
    expect(await committedOffsetsOf(group, input, [failingOffset])).toEqual([failingOffset]);

    // Second run, in the same group: delivered from the record that waited, every record once.
    const second = new AbortController();
    let done = Number(failingOffset);
    await runOnce(
      (event) => event,
      second,
      (result) => {
        if (result.committed) done += result.ok;
        if (done >= count) second.abort();
      },
    );
    expect(await committedOffsetsOf(group, input, [BigInt(count)])).toEqual([BigInt(count)]);
    const written = await readCommittedWithKcat(output, count, 30_000);
    expect(audit(written, count)).toMatchObject({ duplicates: 0, missing: [] });
    expect(outOfOrderKeys(written)).toEqual([]);
  }, 90_000);
});
