// Scenario 3: zombie fencing. A worker is frozen (SIGSTOP) past its session timeout, a replacement with the same
// instance id takes over, then the zombie is resumed (SIGCONT): nothing it writes from then on becomes visible.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { audit, brokers, freshTopics, unique } from '../adapters/kafka/testing.ts';
import { events, produce } from './input.ts';
import { awaitOutput } from './read.ts';
import { scaled } from './profile.ts';
import { report } from './report.ts';
import type { ChaosOutput } from './worker/config.ts';
import { spawnWorker } from './worker/spawn.ts';

const broker = brokers.join(',');
const count = scaled({ short: 4_000, full: 60_000 });
const rounds = scaled({ short: 1, full: 3 });
const sessionTimeoutMs = 6_000;
// A resumed zombie learns it was fenced only once it rejoined the group and tries to commit; with the adapter's 60 s
// rebalance timeout that took up to 67 s (docs/reliability.md), so the group here waits 10 s for members to rejoin.
const rebalanceTimeoutMs = 10_000;

describe('a zombie worker', () => {
  it(`frozen past its session timeout, replaced, then resumed, commits nothing (${rounds} round(s))`, async () => {
    const topics = await freshTopics('zombie', 6, undefined, broker);
    await produce(broker, topics.in as string, events(count, 31));
    const config = { brokers: [broker], group: unique('zombie'), input: topics.in as string, output: topics.out as string, failureMode: 'atomic' as const, instanceId: unique('z'), batchSize: 100, sessionTimeoutMs, rebalanceTimeoutMs, delayMs: 5, concurrency: 4 };

    type Zombie = { label: string; stoppedAt: number; resumedAt: number; exitedAfterMs: number; total: number; fatal: string | undefined; exit: number | null; committedAfterResume: number };
    const zombies: Promise<Zombie>[] = [];
    let current = spawnWorker({ ...config, label: 'w0' });
    for (let round = 1; round <= rounds; round++) {
      const zombie = current;
      await zombie.until((e) => (e.total ?? 0) >= 300, 120_000);
      zombie.kill('SIGSTOP');
      const stoppedAt = Date.now();
      await sleep(sessionTimeoutMs + 2_000);

      current = spawnWorker({ ...config, label: `w${round}` });
      await current.until((e) => (e.total ?? 0) >= 300, 120_000);
      const resumedAt = Date.now();
      zombie.kill('SIGCONT');
      zombies.push(
        Promise.race([zombie.exited, sleep(60_000).then(() => undefined)]).then((exit) => {
          if (!exit) zombie.kill('SIGKILL');
          return {
            label: `w${round - 1}`,
            stoppedAt,
            resumedAt,
            exitedAfterMs: Date.now() - resumedAt,
            total: zombie.total,
            fatal: zombie.events.find((e) => e.fatal)?.fatal,
            exit: exit?.code ?? null,
            committedAfterResume: zombie.events.filter((e) => e.committed === true && e.at > resumedAt + 1_000).length,
          };
        }),
      );
    }

    const output = await awaitOutput(broker, topics.out as string, count, { group: config.group, input: config.input, partitions: 6, timeoutMs: 300_000 });
    const last = await current.stop();
    const frozen = await Promise.all(zombies);
    const result = audit(output, count);
    const values = output.map((m) => JSON.parse(m.value.toString()) as ChaosOutput);
    report('zombie', { records: count, faults: `${rounds} SIGSTOP past session timeout`, lost: result.missing.length, duplicated: result.duplicates, zombies: frozen });

    expect(last.code).toBe(0);
    expect({ ...result, missing: result.missing.slice(0, 20) }).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
    for (const zombie of frozen) {
      const visible = values.filter((v) => v.by === zombie.label);
      // Fenced by its transactional id, or (static membership) by its group instance id, whichever it hits first.
      expect(['PRODUCER_FENCED', 'INSTANCE_ID_IN_USE']).toContain(zombie.fatal);
      expect(zombie.exit).toBe(3);
      expect(zombie.committedAfterResume).toBe(0);
      // Everything of the zombie's that is visible was processed before it froze, and is exactly what it reported committed.
      expect(visible.filter((v) => v.at >= zombie.stoppedAt)).toEqual([]);
      expect(visible.length).toBe(zombie.total);
    }
  });
});
