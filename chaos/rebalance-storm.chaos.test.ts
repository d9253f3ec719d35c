// Scenario 4: a rebalance storm. Three worker slots in one group; every few seconds one of them is stopped (SIGTERM,
// it leaves the group) or started again (same instance id, a static member), while the input keeps arriving. With the
// classic protocol, and in the full profile with the consumer protocol (KIP-848) too. Exactly-once output must be exact: no
// offset skipped, nothing duplicated. Known issue: docs/adapters/kafka.md, "exactly-once across rebalances".
import { describe, expect, it } from 'vitest';
import { audit, brokers, freshTopics, outOfOrderKeys, unique } from '../adapters/kafka/testing.ts';
import { groupProgress } from './group-progress.ts';
import { events, produce } from './input.ts';
import { awaitOutput } from './read.ts';
import { scaled } from './profile.ts';
import { randomBetween, report } from './report.ts';
import type { ChaosWorker } from './worker/spawn.ts';
import { spawnWorker } from './worker/spawn.ts';

const broker = brokers.join(',');
const partitions = 6;
const count = scaled({ short: 12_000, full: 100_000 });
const stormMs = scaled({ short: 30_000, full: 240_000 });
const everyMs = scaled({ short: [2_000, 4_000], full: [3_000, 8_000] }) as [number, number];

/** The consumer protocol's storm only in the full profile, to keep the short one as cheap as it was. */
const protocols = scaled<('classic' | 'consumer')[]>({ short: ['classic'], full: ['classic', 'consumer'] });

describe.each(protocols)('a rebalance storm (%s protocol)', (groupProtocol) => {
  it(`one of three workers added or removed every ${everyMs[0] / 1000}–${everyMs[1] / 1000} s: no offset skipped, nothing duplicated`, async () => {
    const topics = await freshTopics('storm', partitions, undefined, broker);
    const input = events(count, 59);
    const chunks = 20;
    const chunk = Math.ceil(count / chunks);
    const producing = (async () => {
      for (let i = 0; i < count; i += chunk) {
        await produce(broker, topics.in as string, input.slice(i, i + chunk));
        await new Promise((resolve) => setTimeout(resolve, stormMs / chunks));
      }
    })();
    const group = unique('storm');
    const base = { brokers: [broker], group, input: topics.in as string, output: topics.out as string, failureMode: 'atomic' as const, groupProtocol, batchSize: 100, delayMs: 5, concurrency: 4 };
    const slots = ['a', 'b', 'c'].map((name) => ({ instanceId: unique(name), worker: undefined as ChaosWorker | undefined }));
    const all: ChaosWorker[] = [];
    const start = (slot: (typeof slots)[number]) => {
      slot.worker = spawnWorker({ ...base, instanceId: slot.instanceId, label: slot.instanceId });
      all.push(slot.worker);
    };
    for (const slot of slots) start(slot);

    let changes = 0;
    const exits: (number | null)[] = [];
    const stormEnds = Date.now() + stormMs;
    while (Date.now() < stormEnds) {
      await new Promise((resolve) => setTimeout(resolve, randomBetween(...everyMs)));
      const slot = slots[Math.floor(Math.random() * slots.length)] as (typeof slots)[number];
      const running = slots.filter((s) => s.worker?.running);
      if (slot.worker?.running && running.length > 1) {
        exits.push((await slot.worker.stop()).code);
      } else if (!slot.worker?.running) {
        start(slot);
      } else {
        continue;
      }
      changes++;
    }
    await producing;
    for (const slot of slots) if (!slot.worker?.running) start(slot);

    const output = await awaitOutput(broker, topics.out as string, count, { group, input: topics.in as string, partitions, timeoutMs: scaled({ short: 120_000, full: 300_000 }) });
    const progress = await groupProgress(broker, group, topics.in as string, partitions);
    for (const slot of slots) exits.push((await (slot.worker as ChaosWorker).stop()).code);
    const result = audit(output, count);
    report(`rebalance-storm ${groupProtocol}`, {
      records: count,
      faults: `${changes} membership changes in ${stormMs / 1000} s`,
      lost: result.missing.length,
      duplicated: result.duplicates,
      workers: all.length,
      uncommitted: progress.map((p) => Number(p.end - p.committed)),
      exits: all.filter((w) => w.child.exitCode !== 0).map((w) => w.child.exitCode ?? w.child.signalCode),
      fatal: all.flatMap((w) => w.events.filter((e) => e.fatal).map((e) => `${e.fatal}: ${e.message}`)),
      killedAfterDrainTimeout: all.filter((w) => w.child.signalCode === 'SIGKILL').length,
    });

    expect(changes).toBeGreaterThanOrEqual(scaled({ short: 5, full: 30 }));
    expect(exits.every((code) => code === 0)).toBe(true);
    expect({ ...result, missing: result.missing.slice(0, 20) }).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
    expect(progress.map((p) => p.committed)).toEqual(progress.map((p) => p.end));
    expect(outOfOrderKeys(output)).toEqual([]);
  });
});
