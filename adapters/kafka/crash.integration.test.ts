import { describe, expect, it } from 'vitest';
import type { FailureMode } from '../../core/index.ts';
import { Worker } from './fixtures/spawn.ts';
import { audit, brokers, freshTopics, produceRecords, readCommittedWithKcat, unique } from './testing.ts';

const count = 20_000;

async function crashTwice(failureMode: FailureMode) {
  const topics = await freshTopics(`crash-${failureMode}`);
  await produceRecords(topics.in as string, Array.from({ length: count }, (_, id) => ({ key: `k${id % 101}`, value: { id, seq: id } })));
  const config = { brokers, group: unique('crash'), input: topics.in, output: topics.out, failureMode, instanceId: unique('w'), batchSize: 200, delayMs: 1 };
  const kills: number[] = [];
  for (const fraction of [0.15, 0.45]) {
    const worker = new Worker(config);
    await worker.until((e) => (e.total ?? 0) >= count * fraction * 0.5, 120_000);
    worker.kill('SIGKILL');
    await worker.exited;
    kills.push(worker.total);
  }
  const last = new Worker(config);
  const output = await readCommittedWithKcat(topics.out as string, count, 180_000);
  last.kill('SIGTERM');
  expect(await last.exited).toBe(0);
  return { report: audit(output, count), kills };
}

describe('kafka: a worker killed with SIGKILL mid-stream, twice, then restarted', () => {
  it('exactly-once output is still exact', async () => {
    const { report, kills } = await crashTwice('atomic');
    expect(kills.every((k) => k > 0 && k < count)).toBe(true);
    expect(report).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
  });

  it('at-least-once loses nothing', async () => {
    const { report } = await crashTwice('skip-and-log');
    expect(report.missing).toEqual([]);
    expect(report.distinct).toBe(count);
  });
});
