import { describe, expect, it } from 'vitest';
import { Worker } from './fixtures/spawn.ts';
import { audit, brokers, freshTopics, produceRecords, readCommittedWithKcat, unique } from './testing.ts';

const count = 6_000;

describe('kafka: a zombie worker', () => {
  it('stopped with SIGSTOP, replaced, then resumed with SIGCONT cannot commit anything', async () => {
    const topics = await freshTopics('zombie');
    await produceRecords(topics.in as string, Array.from({ length: count }, (_, id) => ({ key: `k${id % 31}`, value: { id, seq: id } })));
    const config = { brokers, group: unique('zombie'), input: topics.in, output: topics.out, failureMode: 'atomic', instanceId: unique('z'), batchSize: 100, delayMs: 2 };
    const zombie = new Worker(config);
    await zombie.until((e) => (e.total ?? 0) >= 500, 120_000);
    zombie.kill('SIGSTOP');
    const frozenAt = zombie.total;

    const replacement = new Worker(config);
    await replacement.until((e) => (e.total ?? 0) >= 1_000, 120_000);
    zombie.kill('SIGCONT');
    const zombieExit = await zombie.exited;

    const output = await readCommittedWithKcat(topics.out as string, count, 180_000);
    replacement.kill('SIGTERM');
    expect(await replacement.exited).toBe(0);

    expect(zombieExit).toBe(3);
    // Fenced by its transactional id, or (static membership) by its group instance id, whichever it hits first.
    expect(zombie.events.some((e) => e.fatal === 'PRODUCER_FENCED' || e.fatal === 'INSTANCE_ID_IN_USE')).toBe(true);
    expect(zombie.total).toBe(frozenAt);
    expect(audit(output, count)).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
  });
});
