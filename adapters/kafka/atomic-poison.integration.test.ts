import { Admin, Producer } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders, commit, deadLetter, decode, json, pipeline, pipelineContext, produce } from '../../core/index.ts';
import type { BatchResult } from '../../core/index.ts';
import { brokers, committedOffsetsOf, freshTopics, kcatRead, keepingLogger, parsedIds, readCommittedWithKcat, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

const count = 300;
/** Records without a key: a compacted topic refuses them (INVALID_RECORD). */
const keyless = [40, 151, 262];
const maxDeliveries = 3;

/** Produces `{ id }` records 0..count-1 into one partition, keyed `k<id>` except the `keyless` ones. */
async function produceInput(topic: string): Promise<void> {
  const producer = new Producer({ clientId: unique('poison-input'), bootstrapBrokers: brokers, idempotent: true });
  try {
    const messages = Array.from({ length: count }, (_, id) => ({
      topic,
      partition: 0,
      key: keyless.includes(id) ? undefined : Buffer.from(`k${id}`),
      value: Buffer.from(JSON.stringify({ id })),
    }));
    await producer.send({ messages });
  } finally {
    await producer.close();
  }
}

async function compactedTopic(name: string): Promise<void> {
  const admin = new Admin({ clientId: unique('poison-admin'), bootstrapBrokers: brokers });
  try {
    await admin.createTopics({ topics: [name], partitions: 1, replicas: 1, configs: [{ name: 'cleanup.policy', value: 'compact' }] });
  } finally {
    await admin.close();
  }
}

describe('kafka atomic mode: a record the output topic refuses', () => {
  it('is narrowed down to, dead-lettered after maxDeliveries with its reason, and the rest commits exactly once', async () => {
    const topics = await freshTopics('atomic-poison', 1, ['in']);
    const input = topics.in as string;
    const output = `${input}-compacted`;
    const dlq = `${input}-dlq`;
    await compactedTopic(output);
    await produceInput(input);

    const logger = keepingLogger();
    const context = pipelineContext({ failureMode: 'atomic', consumerGroup: unique('g'), maxDeliveries, platform: { logger } });
    const transport = new KafkaTransport({ brokers, groupId: context.consumerGroup, topics: [input], failureMode: 'atomic', instanceId: unique('i'), batchSize: 1_000, lingerMs: 200, commitIntervalMs: 200, context });
    const stop = new AbortController();
    const results: BatchResult[] = [];
    let done = 0;
    const started = performance.now();
    let isolatedAfterMs = 0;
    const run = pipeline(
      transport.source(stop.signal),
      decode(json<{ id: number }>()),
      produce(transport.sink, { topic: output, retry: { attempts: 1 } }),
      deadLetter(transport.sink),
      commit(),
    );
    const watchdog = setTimeout(() => stop.abort(), 90_000);
    for await (const result of run) {
      results.push(result);
      if (result.committed) done += result.ok + result.dropped['dead-lettered'];
      if (result.committed && result.dropped['dead-lettered'] > 0) isolatedAfterMs = performance.now() - started;
      if (done >= count) stop.abort();
    }
    clearTimeout(watchdog);
    const seconds = (performance.now() - started) / 1000;
    await transport.close();

    const aborted = results.filter((r) => !r.committed);
    expect(done).toBe(count);
    // Each abort is the refusal: the batch refused, the other batches of its transaction, or batches read before it.
    const causes = new Set(aborted.map((r) => (r.error?.message.includes('INVALID_RECORD') ? 'INVALID_RECORD' : r.error?.message)));
    expect(causes.has('INVALID_RECORD')).toBe(true);
    expect([...causes].filter((c) => c !== 'INVALID_RECORD' && c !== 'an earlier batch was aborted; this one will be read again after it')).toEqual([]);

    const dead = await kcatRead(brokers.join(','), dlq, { distinctIds: keyless.length, timeoutMs: 30_000 });
    expect(parsedIds(dead).sort((a, b) => a - b)).toEqual(keyless);
    for (const letter of dead) {
      expect(letter.headers.get(DeadLetterHeaders.category)?.toString()).toBe('PROCESSING_ERROR');
      expect(letter.headers.get(DeadLetterHeaders.message)?.toString()).toMatch(/refused a record.*INVALID_RECORD/);
      expect(Number(letter.headers.get(DeadLetterHeaders.sourceAttempts)?.toString())).toBeGreaterThanOrEqual(maxDeliveries);
    }

    const written = await readCommittedWithKcat(output, count - keyless.length, 30_000);
    const ids = parsedIds(written);
    expect(ids.length).toBe(count - keyless.length);
    expect(ids).toEqual(Array.from({ length: count }, (_, id) => id).filter((id) => !keyless.includes(id)));
    expect(await committedOffsetsOf(context.consumerGroup, input, [BigInt(count)])).toEqual([BigInt(count)]);
    // The abort left the producer's sequence numbers ahead of the broker's: it was recreated, not reused.
    expect(transport.producers.renewals).toBeGreaterThan(0);
    expect(logger.lines.filter((l) => l.startsWith('the broker refused a record of the batch')).length).toBeGreaterThan(0);
    console.log(
      `atomic poison: ${keyless.length} refused records in ${count} isolated with ${aborted.length} aborts, ${results.length} batches, ` +
        `${transport.producers.renewals} producer renewals; last dead letter after ${(isolatedAfterMs / 1000).toFixed(1)} s, all done in ${seconds.toFixed(1)} s`,
    );
  }, 120_000);
});
