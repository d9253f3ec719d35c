// Scenario 1: the worker is killed with SIGKILL at random intervals while it works through the input, and restarted
// each time with the same instance id (static membership with the classic protocol, its default; the consumer
// protocol's default is dynamic membership). Intervals count from each worker's first committed batch,
// so that every kill lands mid-stream. Exactly-once output stays exact (read with kcat, read_committed); at-least-once
// loses nothing. The group's committed offsets are watched throughout: the longest time without progress is reported,
// and must stay within the session timeout + 5 s. With the classic protocol a restarted static member takes its
// place back at once; with the consumer protocol (KIP-848) the broker holds a killed member's partitions until its
// session expires (group.consumer.session.timeout.ms, 45 s by default and at least).
import { describe, it } from 'vitest';
import type { FailureMode } from '../core/index.ts';
import { audit, brokers, freshTopics, unique } from '../adapters/kafka/testing.ts';
import { groupProgress, watchGroupProgress } from './group-progress.ts';
import { events, produce } from './input.ts';
import { awaitOutput } from './read.ts';
import { profile, scaled } from './profile.ts';
import { randomBetween, report } from './report.ts';
import type { ChaosWorker } from './worker/spawn.ts';
import { spawnWorker } from './worker/spawn.ts';

const broker = brokers.join(',');
const count = scaled({ short: 8_000, full: 200_000 });
const killAfterMs = scaled({ short: [1_500, 3_000], full: [5_000, 15_000] }) as [number, number];
const maxKills = scaled({ short: 3, full: 200 });
/** The classic protocol's session timeout the chaos worker sets, and the consumer protocol's (the broker's default). */
const sessionTimeoutMs = { classic: 6_000, consumer: 45_000 } as const;
type GroupProtocol = keyof typeof sessionTimeoutMs;
/** Simulated work per record, so that the run spans several kills (at most 800 or 1,600 records/s). */
const work = { delayMs: 5, concurrency: scaled({ short: 4, full: 8 }) };

async function crashRepeatedly(failureMode: FailureMode, groupProtocol: GroupProtocol = 'classic', kills = maxKills) {
  const topics = await freshTopics(`crash-${failureMode}`, 6, undefined, broker);
  await produce(broker, topics.in as string, events(count));
  const config = { brokers: [broker], group: unique('crash'), input: topics.in as string, output: topics.out as string, failureMode, groupProtocol, instanceId: unique('w'), batchSize: 500, ...work };
  const progress = watchGroupProgress(broker, config.group, config.input, 6);

  const workers: ChaosWorker[] = [];
  const committed = () => workers.reduce((sum, w) => sum + w.total, 0);
  const recoveries: number[] = [];
  let killed = 0;
  let killedAt: number | undefined;
  // The group's offsets, not the workers' reports, say whether work is left: a worker killed right after a commit
  // can die before printing it, and a new worker started on a finished input would wait for records that never come.
  const inputDone = async () => (await groupProgress(broker, config.group, config.input, 6)).every((p) => p.committed >= p.end);
  while (killed < kills && committed() < count && !(await inputDone())) {
    const worker = spawnWorker(config);
    workers.push(worker);
    await worker.until((e) => e.committed === true, 120_000);
    if (killedAt !== undefined) recoveries.push((worker.events.find((e) => e.committed)?.at ?? Date.now()) - killedAt);
    await new Promise((resolve) => setTimeout(resolve, randomBetween(...killAfterMs)));
    if (committed() >= count || (await inputDone())) break;
    worker.kill('SIGKILL');
    await worker.exited;
    killedAt = Date.now();
    killed++;
  }
  const last = workers.at(-1)?.running ? (workers.at(-1) as ChaosWorker) : spawnWorker(config);
  if (last !== workers.at(-1)) workers.push(last);
  const output = await awaitOutput(broker, topics.out as string, count, { group: config.group, input: config.input, partitions: 6, timeoutMs: scaled({ short: 120_000, full: 900_000 }) });
  const exit = await last.stop();
  const { longestGapMs } = await progress.stop();
  const result = audit(output, count);
  report(`worker-crash ${failureMode} ${groupProtocol}${groupProtocol === 'classic' ? ' static' : ''}`, {
    records: count,
    faults: `${killed} SIGKILL`,
    lost: result.missing.length,
    duplicated: result.duplicates,
    recoveryMs: Math.max(0, ...recoveries),
    longestGapMs,
    sessionTimeoutMs: sessionTimeoutMs[groupProtocol],
    workers: workers.length,
  });
  return { result, kills: killed, exit, workers, longestGapMs };
}

/** The target: the group never goes longer than the session timeout + 5 s without progress (asserted in the full profile). */
const withinTarget = (groupProtocol: GroupProtocol) => sessionTimeoutMs[groupProtocol] + 5_000;

describe.concurrent(`a worker killed with SIGKILL every ${killAfterMs[0] / 1000}–${killAfterMs[1] / 1000} s over ${count} records`, () => {
  it('exactly-once: the output is exact, and the group is never idle longer than the session timeout + 5 s', async ({ expect }) => {
    const { result, kills, exit, longestGapMs } = await crashRepeatedly('atomic');
    expect(kills).toBeGreaterThanOrEqual(Math.min(maxKills, 2));
    expect(exit.code).toBe(0);
    expect({ ...result, missing: result.missing.slice(0, 20) }).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
    if (profile === 'full') expect(longestGapMs).toBeLessThanOrEqual(withinTarget('classic'));
  });

  // Each kill costs the broker's 45 s session, so the short profile runs the consumer protocol without kills (its
  // exactly-once commits, alongside the other two) and the full profile kills as above.
  it(`exactly-once with the consumer protocol (KIP-848)${profile === 'short' ? ', no kill' : ''}: the output is exact`, async ({ expect }) => {
    const { result, kills, exit, longestGapMs } = await crashRepeatedly('atomic', 'consumer', scaled({ short: 0, full: maxKills }));
    expect(kills).toBeGreaterThanOrEqual(scaled({ short: 0, full: 2 }));
    expect(exit.code).toBe(0);
    expect({ ...result, missing: result.missing.slice(0, 20) }).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
    if (profile === 'full') expect(longestGapMs).toBeLessThanOrEqual(withinTarget('consumer'));
  });

  it('at-least-once: nothing is lost', async ({ expect }) => {
    const { result, kills, exit } = await crashRepeatedly('skip-and-log');
    expect(kills).toBeGreaterThanOrEqual(Math.min(maxKills, 2));
    expect(exit.code).toBe(0);
    expect(result.missing.slice(0, 20)).toEqual([]);
    expect(result.distinct).toBe(count);
  });
});
