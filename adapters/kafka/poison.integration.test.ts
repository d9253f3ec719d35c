import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders } from '../../core/index.ts';
import { Worker } from './fixtures/spawn.ts';
import { ReplayCountHeader, replay } from './replay.ts';
import { audit, brokers, freshTopics, idsOf, produceRecords, readTopic, unique } from './testing.ts';

const count = 2_000;
const isInvalid = (id: number) => id % 250 === 17;
const isThrowing = (id: number) => id % 250 === 99;

describe('kafka: poison records in skip-and-log mode', () => {
  it('dead-letters each bad record once with the right headers, keeps moving, and replay republishes them', async () => {
    const topics = await freshTopics('poison');
    const dlq = `${topics.in}-dlq`;
    await produceRecords(
      topics.in as string,
      Array.from({ length: count }, (_, id) => ({
        key: `k${id % 7}`,
        value: isInvalid(id) ? `{"id":${id},` : { id, seq: id, ...(isThrowing(id) ? { fail: true } : {}) },
        headers: { trace: `t-${id}` },
      })),
    );
    const badIds = Array.from({ length: count }, (_, id) => id).filter((id) => isInvalid(id) || isThrowing(id));
    const group = unique('poison');
    const worker = new Worker({ brokers, group, input: topics.in, output: topics.out, failureMode: 'skip-and-log', instanceId: unique('w') });
    await worker.until((e) => (e.total ?? 0) >= count, 120_000).catch((error: Error) => {
      throw new Error(`${error.message}; worker at ${worker.total}; last events ${JSON.stringify(worker.events.slice(-3))}`);
    });
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    const output = await readTopic(topics.out as string, count - badIds.length);
    expect(audit(output, count).missing).toEqual(badIds);

    const dead = await readTopic(dlq, badIds.length);
    expect(dead.length).toBe(badIds.length);
    const header = (i: number, name: string) => dead[i]?.headers.get(name)?.toString();
    const byOffset = dead.map((m, i) => ({ i, offset: Number(header(i, DeadLetterHeaders.sourceOffset)), category: header(i, DeadLetterHeaders.category) }));
    expect(new Set(byOffset.map((d) => `${d.offset}`)).size).toBe(badIds.length);
    const categories = byOffset.map((d) => d.category).sort();
    expect(categories.filter((c) => c === 'DESERIALIZATION_ERROR').length).toBe(badIds.filter(isInvalid).length);
    expect(categories.filter((c) => c === 'PROCESSING_ERROR').length).toBe(badIds.filter(isThrowing).length);
    for (let i = 0; i < dead.length; i++) {
      expect(header(i, DeadLetterHeaders.sourceTopic)).toBe(topics.in);
      expect(header(i, DeadLetterHeaders.sourceConsumerGroup)).toBe(group);
      expect(header(i, DeadLetterHeaders.retryable)).toBe('false');
      expect(header(i, 'trace')).toMatch(/^t-\d+$/);
      expect(Date.parse(header(i, DeadLetterHeaders.lastFailureAt) ?? '')).toBeGreaterThan(0);
    }

    const summary = await replay({ brokers, dlqTopic: dlq, to: topics.replayed ?? `${topics.in}-replayed`, ratePerSecond: 500 });
    expect(summary).toMatchObject({ read: badIds.length, replayed: badIds.length, parked: 0, skipped: 0 });
    const replayed = await readTopic(`${topics.in}-replayed`, badIds.length);
    expect(replayed.map((m) => m.headers.get(ReplayCountHeader)?.toString())).toEqual(badIds.map(() => '1'));
    expect(replayed.every((m) => !m.headers.has(DeadLetterHeaders.category))).toBe(true);
    expect(replayed.map((m) => m.headers.get('trace')?.toString()).sort()).toEqual(badIds.map((id) => `t-${id}`).sort());

    const again = await replay({ brokers, dlqTopic: dlq, ratePerSecond: 500 });
    expect(again.read).toBe(0);
  });

  it('parks records that come back to the dead-letter topic after a replay, and filters by category', async () => {
    const topics = await freshTopics('park', 1, ['in', 'dlq']);
    const dlq = topics.dlq as string;
    const failedAt = new Date().toISOString();
    const dead = (id: number, category: string, replays?: number) => ({
      key: `k${id}`,
      value: { id },
      headers: {
        [DeadLetterHeaders.sourceTopic]: topics.in as string,
        [DeadLetterHeaders.category]: category,
        [DeadLetterHeaders.lastFailureAt]: failedAt,
        ...(replays ? { [ReplayCountHeader]: String(replays) } : {}),
      },
    });
    await produceRecords(dlq, [dead(1, 'PROCESSING_ERROR'), dead(2, 'VALIDATION_ERROR'), dead(3, 'PROCESSING_ERROR', 1)]);
    const summary = await replay({ brokers, dlqTopic: dlq, categories: ['PROCESSING_ERROR'] });
    expect(summary).toMatchObject({ read: 3, replayed: 1, parked: 1, skipped: 1 });
    expect(idsOf(await readTopic(topics.in as string, 1))).toEqual([1]);
    const parked = await readTopic(`${dlq}-parking`, 1);
    expect(idsOf(parked)).toEqual([3]);
    expect(parked[0]?.headers.get('park_reason')?.toString()).toContain('failed again');
    await expect(replay({ brokers, dlqTopic: dlq, categories: ['NOPE' as 'PROCESSING_ERROR'] })).rejects.toThrow(/categories: must be among/);
  });
});
