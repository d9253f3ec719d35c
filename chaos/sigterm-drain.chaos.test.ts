// Scenario 8: SIGTERM under load. The worker drains (the batch in flight settles, offsets are committed) and exits
// within 10 s; the next worker starts exactly where it stopped, so nothing is processed twice, even at-least-once.
import { describe, it } from 'vitest';
import type { FailureMode } from '../core/index.ts';
import { audit, brokers, freshTopics, unique } from '../adapters/kafka/testing.ts';
import { groupProgress } from './group-progress.ts';
import { events, produce } from './input.ts';
import { awaitOutput, idsByPosition, kcatRead, parsedIds } from './read.ts';
import { scaled } from './profile.ts';
import { randomBetween, report } from './report.ts';
import { spawnWorker } from './worker/spawn.ts';

const broker = brokers.join(',');
const partitions = 6;
const count = scaled({ short: 10_000, full: 100_000 });
const terms = scaled({ short: 2, full: 10 });
const drainDeadlineMs = 10_000;
/**
 * How long the last worker gets to finish the input. At 20 ms a record, 16 at a time, a worker does at most 800
 * records/s, so the full profile's last worker alone needs ~2 minutes with the machine to itself; both modes run side
 * by side. 180 s was too short there: the wait ended with the tail of the input still being processed, which looked
 * like loss (the records were in the output on a second read).
 */
const finishWithinMs = scaled({ short: 180_000, full: 600_000 });

async function terminateRepeatedly(failureMode: FailureMode) {
  const topics = await freshTopics(`drain-${failureMode}`, partitions, undefined, broker);
  await produce(broker, topics.in as string, events(count));
  // Under load: big batches of slow records, so that SIGTERM always finds a batch in flight.
  const config = { brokers: [broker], group: unique('drain'), input: topics.in as string, output: topics.out as string, failureMode, instanceId: unique('d'), batchSize: 500, delayMs: 20, concurrency: 16 };

  const drains: { ms: number; code: number | null; drained: boolean; committedAtExit: number; producedAtExit: number }[] = [];
  for (let i = 0; i < terms; i++) {
    const worker = spawnWorker(config);
    await worker.until((e) => e.committed === true, 120_000);
    await new Promise((resolve) => setTimeout(resolve, randomBetween(500, 2_000)));
    const signalledAt = Date.now();
    worker.kill('SIGTERM');
    const exit = await worker.exited;
    const progress = await groupProgress(broker, config.group, config.input, partitions);
    const produced = parsedIds(await kcatRead(broker, config.output, { isolation: 'read_committed' })).length;
    drains.push({
      ms: Date.now() - signalledAt,
      code: exit.code,
      drained: worker.events.some((e) => e.exit === 'drained'),
      committedAtExit: progress.reduce((sum, p) => sum + Math.max(0, Number(p.committed)), 0),
      producedAtExit: produced,
    });
  }
  const last = spawnWorker(config);
  const waitStartedAt = Date.now();
  const output = await awaitOutput(broker, config.output, count, { group: config.group, input: config.input, partitions, timeoutMs: finishWithinMs });
  const waitedMs = Date.now() - waitStartedAt;
  const lastExit = await last.stop();
  const result = audit(output, count);
  report(`sigterm-drain ${failureMode}`, {
    records: count,
    faults: `${terms} SIGTERM`,
    lost: result.missing.length,
    duplicated: result.duplicates,
    drainMs: Math.max(...drains.map((d) => d.ms)),
    lastWorkerMs: waitedMs,
    ...(result.missing.length > 0 ? { waitEnded: waitedMs >= finishWithinMs ? 'deadline' : 'caught up', ...(await whereMissing(config, result.missing)) } : {}),
  });
  return { result, drains, lastExit };
}

/**
 * For a failed run: where the missing records sat in the input, whether a second read of the output finds them (a
 * reader that stopped early, not a loss), and the group's offsets against the input's end.
 */
async function whereMissing(config: { input: string; output: string; group: string }, missing: readonly number[]) {
  const positions = new Map([...(await idsByPosition(broker, config.input))].map(([position, id]) => [id, position]));
  const reread = new Set(parsedIds(await kcatRead(broker, config.output, { isolation: 'read_committed' })));
  const progress = await groupProgress(broker, config.group, config.input, partitions);
  return {
    missingAt: missing.slice(0, 20).map((id) => positions.get(id) ?? `id ${id}?`),
    foundOnRereading: missing.filter((id) => reread.has(id)).length,
    groupOffsets: progress.map((p) => `${p.partition}:${p.committed}/${p.end}`),
  };
}

describe.concurrent(`SIGTERM under load, ${terms} times`, () => {
  for (const failureMode of ['atomic', 'skip-and-log'] as const) {
    it(`${failureMode}: drained and committed within ${drainDeadlineMs / 1000} s; the restart duplicates nothing`, async ({ expect }) => {
      const { result, drains, lastExit } = await terminateRepeatedly(failureMode);
      for (const drain of drains) {
        expect(drain).toMatchObject({ code: 0, drained: true });
        expect(drain.ms).toBeLessThan(drainDeadlineMs);
        // Everything produced before the exit is covered by committed offsets, and nothing committed was left unproduced.
        expect(drain.producedAtExit).toBe(drain.committedAtExit);
      }
      expect(lastExit.code).toBe(0);
      expect({ ...result, missing: result.missing.slice(0, 20) }).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
    });
  }
});
