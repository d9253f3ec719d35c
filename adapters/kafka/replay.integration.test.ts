import { Producer, stringSerializer } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders } from '../../core/index.ts';
import { ReplayCountHeader, replay } from './replay.ts';
import { brokers, freshTopics, idsOf, readTopic, unique } from './testing.ts';

/** Writes dead letters as an atomic-mode pipeline does: in transactions, so each is followed by a commit (or abort) marker. */
async function writeInTransactions(topic: string, sourceTopic: string, transactions: readonly { ids: readonly number[]; abort?: boolean }[]): Promise<void> {
  const producer = new Producer({
    clientId: unique('dlq-writer'),
    bootstrapBrokers: brokers,
    idempotent: true,
    transactionalId: unique('dlq-writer'),
    producerId: -1n,
    producerEpoch: -1,
    serializers: { headerKey: stringSerializer },
  });
  const failedAt = Buffer.from(new Date().toISOString());
  try {
    for (const { ids, abort } of transactions) {
      const transaction = await producer.beginTransaction();
      await transaction.send({
        messages: ids.map((id) => ({
          topic,
          key: Buffer.from(`k${id}`),
          value: Buffer.from(JSON.stringify({ id })),
          headers: new Map([
            [DeadLetterHeaders.sourceTopic, Buffer.from(sourceTopic)],
            [DeadLetterHeaders.category, Buffer.from('PROCESSING_ERROR')],
            [DeadLetterHeaders.lastFailureAt, failedAt],
          ]),
        })),
      });
      if (abort) await transaction.abort();
      else await transaction.commit();
    }
  } finally {
    await producer.close();
  }
}

describe('kafka: replay of a dead-letter topic written in atomic mode', () => {
  it('ends at the last committed record although transaction markers follow it, and skips aborted dead letters', async () => {
    const topics = await freshTopics('replay-atomic', 2, ['in', 'dlq', 'to']);
    const dlq = topics.dlq as string;
    await writeInTransactions(dlq, topics.in as string, [{ ids: [1, 2, 3] }, { ids: [4, 5], abort: true }, { ids: [6, 7] }]);

    const deadline = AbortSignal.timeout(30_000);
    const summary = await replay({ brokers, dlqTopic: dlq, to: topics.to as string, ratePerSecond: 1_000, signal: deadline });
    // Stopped by the deadline instead of ending by itself would return a partial summary: that is the bug.
    expect(deadline.aborted).toBe(false);
    expect(summary).toMatchObject({ read: 5, replayed: 5, parked: 0, skipped: 0, byCategory: { PROCESSING_ERROR: 5 } });
    const replayed = await readTopic(topics.to as string, 5);
    expect(idsOf(replayed).sort()).toEqual([1, 2, 3, 6, 7]);
    expect(replayed.every((m) => m.headers.get(ReplayCountHeader)?.toString() === '1')).toBe(true);

    // Caught up: a second run with the same group reads nothing and ends too.
    const againDeadline = AbortSignal.timeout(30_000);
    const again = await replay({ brokers, dlqTopic: dlq, to: topics.to as string, signal: againDeadline });
    expect(againDeadline.aborted).toBe(false);
    expect(again.read).toBe(0);
  });

  it('ends on a dead-letter topic whose only transaction was aborted', async () => {
    const topics = await freshTopics('replay-aborted', 1, ['in', 'dlq']);
    await writeInTransactions(topics.dlq as string, topics.in as string, [{ ids: [1, 2], abort: true }]);
    const deadline = AbortSignal.timeout(30_000);
    const summary = await replay({ brokers, dlqTopic: topics.dlq as string, signal: deadline });
    expect(deadline.aborted).toBe(false);
    expect(summary).toMatchObject({ read: 0, replayed: 0, parked: 0 });
  });
});
