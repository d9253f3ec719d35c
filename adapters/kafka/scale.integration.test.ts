import { describe, expect, it } from 'vitest';
import { Worker } from './fixtures/spawn.ts';
import { audit, brokers, freshTopics, outOfOrderKeys, produceRecords, readCommittedWithKcat, unique } from './testing.ts';

const count = 20_000;

describe('kafka: several instances in one group', () => {
  it('2 then 3 workers over 6 partitions, one joining and one leaving mid-stream: exactly-once output exact', async () => {
    const topics = await freshTopics('scale', 6);
    await produceRecords(topics.in as string, Array.from({ length: count }, (_, id) => ({ key: `k${id % 59}`, value: { id, seq: id } })));
    const base = { brokers, group: unique('scale'), input: topics.in, output: topics.out, failureMode: 'atomic', batchSize: 100, delayMs: 20 };
    const a = new Worker({ ...base, instanceId: unique('a') });
    const b = new Worker({ ...base, instanceId: unique('b') });
    await a.until((e) => (e.total ?? 0) >= 1_000, 120_000);
    const c = new Worker({ ...base, instanceId: unique('c') });
    await c.until((e) => (e.total ?? 0) >= 100, 120_000);
    b.kill('SIGTERM');
    expect(await b.exited).toBe(0);

    const output = await readCommittedWithKcat(topics.out as string, count, 240_000);
    a.kill('SIGTERM');
    c.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await c.exited).toBe(0);
    expect(a.total > 0 && b.total > 0 && c.total > 0).toBe(true);
    expect(audit(output, count)).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
    expect(outOfOrderKeys(output)).toEqual([]);
  });
});
