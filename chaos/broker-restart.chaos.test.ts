// Scenario 2: the broker restarts under the workers, with SIGTERM (controlled shutdown) and with SIGKILL, while they
// commit a transaction every batch. A private broker (chaos/private-broker.ts), so the shared one is never touched.
// Exactly-once output stays exact, at-least-once loses nothing, and processing resumes within 30 s of the broker's return.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureMode } from '../core/index.ts';
import { audit, freshTopics, unique } from '../adapters/kafka/testing.ts';
import { events, produce } from './input.ts';
import { awaitOutput } from './read.ts';
import { PrivateBroker } from './private-broker.ts';
import { scaled } from './profile.ts';
import { report } from './report.ts';
import type { ChaosWorker } from './worker/spawn.ts';
import { spawnWorker } from './worker/spawn.ts';

const partitions = 6;
const count = scaled({ short: 8_000, full: 80_000 });
const restarts = scaled<('SIGTERM' | 'SIGKILL')[]>({ short: ['SIGTERM', 'SIGKILL'], full: ['SIGTERM', 'SIGKILL', 'SIGKILL', 'SIGTERM', 'SIGKILL', 'SIGTERM'] });
const resumeWithinMs = 30_000;

let broker: PrivateBroker;
beforeAll(async () => {
  broker = await PrivateBroker.start();
}, 180_000);
afterAll(() => broker?.destroy());

interface Run {
  readonly failureMode: FailureMode;
  readonly group: string;
  readonly input: string;
  readonly output: string;
  readonly workers: ChaosWorker[];
}

async function startRun(failureMode: FailureMode): Promise<Run> {
  const topics = await freshTopics(`restart-${failureMode}`, partitions, undefined, broker.directBrokers);
  await produce(broker.directBrokers, topics.in as string, events(count));
  const config = { brokers: [broker.directBrokers], group: unique('restart'), input: topics.in as string, output: topics.out as string, failureMode, instanceId: unique('r'), batchSize: 200, delayMs: 5, concurrency: 4 };
  return { failureMode, group: config.group, input: config.input, output: config.output, workers: [spawnWorker(config)] };
}

const committedAfter = (run: Run, since: number) =>
  Promise.any(run.workers.map((w) => w.until((e) => e.committed === true && e.at > since, 120_000))).then(
    () => Math.min(...run.workers.flatMap((w) => w.events.filter((e) => e.committed === true && e.at > since).map((e) => e.at))) - since,
    () => Number.POSITIVE_INFINITY,
  );

describe(`the broker restarted under load (${restarts.join(', ')})`, () => {
  it('nothing lost, nothing duplicated exactly-once, processing resumes within 30 s', async () => {
    const runs = [await startRun('atomic'), await startRun('skip-and-log')];
    await Promise.all(runs.map((run) => (run.workers[0] as ChaosWorker).until((e) => (e.total ?? 0) >= count * 0.1, 120_000)));
    const resumes: { signal: string; mode: FailureMode; ms: number }[] = [];
    for (const signal of restarts) {
      await broker.stop(signal);
      await sleep(2_000);
      await broker.launch();
      const upAt = Date.now();
      for (const run of runs) resumes.push({ signal, mode: run.failureMode, ms: await committedAfter(run, upAt) });
      await sleep(scaled({ short: 2_000, full: 10_000 }));
    }

    for (const run of runs) {
      const output = await awaitOutput(broker.directBrokers, run.output, count, { group: run.group, input: run.input, partitions, timeoutMs: 180_000 });
      const exits = await Promise.all(run.workers.map((w) => w.stop()));
      const result = audit(output, count);
      report(`broker-restart ${run.failureMode}`, {
        records: count,
        faults: restarts.join(', '),
        lost: result.missing.length,
        duplicated: result.duplicates,
        recoveryMs: Math.max(...resumes.filter((r) => r.mode === run.failureMode).map((r) => r.ms)),
        fatal: run.workers.flatMap((w) => w.events.filter((e) => e.fatal).map((e) => e.message)),
      });
      expect(exits.map((e) => e.code)).toEqual(run.workers.map(() => 0));
      if (run.failureMode === 'atomic') {
        expect({ ...result, missing: result.missing.slice(0, 20) }).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
      } else {
        expect(result.missing.slice(0, 20)).toEqual([]);
      }
    }
    for (const resume of resumes) expect(resume.ms, `${resume.mode} after ${resume.signal}`).toBeLessThan(resumeWithinMs);
  });
});
