import { describe, expect, it } from 'vitest';
import { pipelineContext } from '../../core/index.ts';
import { brokers, freshTopics, readTopic, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

/** Well under the client's 1 s default retry delay, which each refused begin used to cost. */
const slowMs = 500;

describe('kafka atomic mode: back-to-back transactions', () => {
  it('recover from CONCURRENT_TRANSACTIONS within milliseconds, not the client retry delay', { timeout: 60_000 }, async () => {
    const partitions = 3;
    const topics = await freshTopics('txn-retry', partitions, ['out']);
    const context = pipelineContext({ failureMode: 'atomic', consumerGroup: unique('txn-retry') });
    const transport = new KafkaTransport({ brokers, groupId: context.consumerGroup, topics: [topics.out as string], instanceId: unique('txn-retry'), context });
    const producer = transport.producer;
    const send = async (id: number) => {
      const transaction = await producer.beginTransaction();
      await transaction.send({ messages: [{ topic: topics.out as string, partition: id % partitions, value: Buffer.from(JSON.stringify({ id })) }] });
      await transaction.commit();
    };
    const retried: { operation: string; delay: number }[] = [];
    const count = 20;
    const tookMs: number[] = [];
    try {
      // Untimed: the producer's id, and the first send to a topic just created (whose leader may not be known yet).
      await send(0);
      producer.on('client:performWithRetry:retry', (operation: string, _attempt: number, _retries: number, delay: number) => retried.push({ operation, delay }));
      for (let id = 1; id <= count; id++) {
        const started = performance.now();
        // Each begins right after the previous commit: the coordinator is then still completing it and refuses the
        // new transaction's first partition (AddPartitionsToTxn) with CONCURRENT_TRANSACTIONS.
        await send(id);
        tookMs.push(Math.round(performance.now() - started));
      }
    } finally {
      await transport.close();
    }
    // The refusal did happen (else this test proves nothing), and was retried soon.
    const refusedBegins = retried.filter((r) => r.operation === 'addPartitionsToTransaction');
    expect(refusedBegins.length, `retries: ${JSON.stringify(retried)}`).toBeGreaterThan(0);
    expect(tookMs.filter((ms) => ms >= slowMs), `transaction times (ms): ${tookMs.join(' ')}; retries: ${JSON.stringify(retried)}`).toEqual([]);
    expect((await readTopic(topics.out as string, count + 1, 30_000)).length).toBe(count + 1);
  });
});
