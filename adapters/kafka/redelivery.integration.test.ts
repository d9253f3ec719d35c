import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders, ProcessingError, commit, deadLetter, decode, json, pipeline, pipelineContext, produce, transform } from '../../core/index.ts';
import { audit, brokers, freshTopics, produceRecords, readCommittedWithKcat, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

const count = 300;
const poisonId = 123;
const maxDeliveries = 3;

describe('kafka source: redelivery', () => {
  it('delivers an aborted batch again with its attempts raised, and dead-letters the record that keeps failing after maxDeliveries', async () => {
    const topics = await freshTopics('redelivery', 2, ['in', 'out', 'dlq']);
    await produceRecords(topics.in as string, Array.from({ length: count }, (_, id) => ({ key: `k${id % 5}`, value: { id } })));
    const context = pipelineContext({ failureMode: 'atomic', consumerGroup: unique('redelivery'), maxDeliveries });
    const transport = new KafkaTransport({
      brokers,
      groupId: context.consumerGroup,
      topics: [topics.in as string],
      failureMode: 'atomic',
      instanceId: unique('r'),
      batchSize: 50,
      commitIntervalMs: 50,
      context,
    });
    const stop = new AbortController();
    const attemptsSeen: number[] = [];
    let done = 0;
    const run = pipeline(
      transport.source(stop.signal),
      decode(json<{ id: number }>()),
      transform(
        (event: { id: number }, record) => {
          if (event.id !== poisonId) return event;
          attemptsSeen.push(record.attempts);
          throw new ProcessingError(`event ${event.id} fails every time`, { retryable: true });
        },
        { retry: { attempts: 1 } },
      ),
      produce(transport.sink, { topic: topics.out as string }),
      deadLetter(transport.sink, { topic: topics.dlq as string }),
      commit(),
    );
    try {
      for await (const result of run) {
        done += result.ok + result.dropped['dead-lettered'];
        if (done >= count) stop.abort();
      }
    } finally {
      await transport.close();
    }

    expect(attemptsSeen).toEqual([1, 2, 3]);
    const output = await readCommittedWithKcat(topics.out as string, count - 1);
    expect(audit(output, count)).toMatchObject({ duplicates: 0, missing: [poisonId] });
    const dead = await readCommittedWithKcat(topics.dlq as string, 1);
    expect(dead.map((m) => m.headers.get(DeadLetterHeaders.sourceAttempts)?.toString())).toEqual([String(maxDeliveries)]);
  });
});
