// Scenario 5: poison. 1 % of the input is invalid JSON and 1 % makes the transform throw. The pipeline does not stall:
// each bad record gets exactly one FAILED tracker row (Postgres) and exactly one dead letter, every good record is in
// the output, and throughput stays close to a clean run of the same size (measured here, both runs alike).
import { afterAll, describe, expect, it } from 'vitest';
import type { FailureMode, TrackerStrategy } from '../core/index.ts';
import { audit, brokers, unique } from '../adapters/kafka/testing.ts';
import { createPostgresTracker } from '../adapters/postgres/tracker.ts';
import { databaseUrl, dropTables, uniqueName } from '../adapters/postgres/testing.ts';
import type { InputRecord } from './input.ts';
import { freshTopics, produce } from './input.ts';
import { awaitOutput, kcatRead } from './read.ts';
import { scaled } from './profile.ts';
import { report } from './report.ts';
import type { ChaosWorker } from './worker/spawn.ts';
import { spawnWorker } from './worker/spawn.ts';

const broker = brokers.join(',');
const partitions = 6;
/**
 * Records per run. Full at-least-once runs are long enough (300,000) for the worker's JIT to settle first: over 100,000
 * the window measured was mostly warm-up, which the poisoned run (more code paths to compile) pays more of.
 */
const countFor = (failureMode: FailureMode): number => scaled({ short: 10_000, full: failureMode === 'atomic' ? 100_000 : 300_000 });
/** Clean and poisoned runs alternate this many times each; the best of each is compared (the machine is shared). */
const repeats = scaled({ short: 2, full: 3 });
/** Poisoned throughput over clean throughput must be at least this. */
const minRatio = scaled({ short: 0.5, full: 0.9 });

const isInvalid = (id: number) => id % 100 === 17;
const isThrowing = (id: number) => id % 100 === 59;
const badIdsOf = (count: number) => Array.from({ length: count }, (_, id) => id).filter((id) => isInvalid(id) || isThrowing(id));

const input = (poisoned: boolean, count: number): InputRecord[] =>
  Array.from({ length: count }, (_, id) => ({
    key: `k${id % 101}`,
    value: poisoned && isInvalid(id) ? `{"id":${id},"seq":${id},` : { id, seq: id, ...(poisoned && isThrowing(id) ? { fail: true } : {}) },
  }));

const tables: string[] = [];
afterAll(() => dropTables(tables));

/** Records per second from the batch that passed 20 % of the input (start-up and warm-up left out) to the last one. */
function throughput(worker: ChaosWorker, count: number): number {
  const commits = worker.events.filter((e) => e.committed === true);
  const first = commits.find((e) => (e.total ?? 0) >= count * 0.2);
  const done = commits.find((e) => (e.total ?? 0) >= count);
  if (!first || !done || done === first) return 0;
  return ((done.total ?? 0) - (first.total ?? 0)) / ((done.at - first.at) / 1000);
}

async function run(failureMode: FailureMode, strategy: TrackerStrategy, poisoned: boolean, count: number) {
  const topics = await freshTopics(broker, poisoned ? 'poison' : 'clean', partitions);
  await produce(broker, topics.in as string, input(poisoned, count));
  const table = uniqueName('chaos_poison');
  tables.push(table);
  const group = unique('poison');
  const worker = spawnWorker({
    brokers: [broker],
    group,
    input: topics.in as string,
    output: topics.out as string,
    failureMode,
    instanceId: unique('p'),
    batchSize: 500,
    tracker: { store: 'postgres', url: databaseUrl, name: table, strategy },
  });
  await worker.until((e) => (e.total ?? 0) >= count, 180_000);
  const exit = await worker.stop();
  return { worker, exit, topics, table, group, rate: throughput(worker, count) };
}

describe('poison: 1 % invalid JSON and 1 % throwing transforms', () => {
  for (const [failureMode, strategy] of [['atomic', 'OUTBOX'], ['skip-and-log', 'LIGHTWEIGHT']] as const) {
    it(`${failureMode}, ${strategy} tracker: no stall, one FAILED row and one dead letter per bad record, throughput near a clean run`, async () => {
      const count = countFor(failureMode);
      const badIds = badIdsOf(count);
      const clean: number[] = [];
      const poisoned: Awaited<ReturnType<typeof run>>[] = [];
      for (let i = 0; i < repeats; i++) {
        clean.push((await run(failureMode, strategy, false, count)).rate);
        poisoned.push(await run(failureMode, strategy, true, count));
      }
      const best = poisoned.reduce((a, b) => (b.rate > a.rate ? b : a));
      const ratio = best.rate / Math.max(...clean);

      const checked = poisoned[0] as (typeof poisoned)[number];
      const good = count - badIds.length;
      const output = await awaitOutput(broker, checked.topics.out as string, good, { group: checked.group, input: checked.topics.in as string, partitions, timeoutMs: 60_000 });
      const dead = await kcatRead(broker, `${checked.topics.in}-dlq`);
      const deadIds = dead.map((m) => Number(/"id":(\d+)/.exec(m.value.toString())?.[1]));
      const tracker = await createPostgresTracker({ url: databaseUrl, trackerTable: checked.table, migrate: false });
      const statuses = await tracker.countByStatus();
      const failedRows = await tracker.failures({ limit: count });
      await tracker.close();
      const result = audit(output, count);
      report(`poison ${failureMode} ${strategy}`, {
        records: count,
        faults: `${badIds.length} bad records`,
        lost: result.missing.filter((id) => !badIds.includes(id)).length,
        duplicated: result.duplicates,
        cleanPerSecond: Math.round(Math.max(...clean)),
        poisonedPerSecond: Math.round(best.rate),
        ratio: Number(ratio.toFixed(3)),
        runs: { clean: clean.map(Math.round), poisoned: poisoned.map((p) => Math.round(p.rate)) },
      });

      expect(checked.exit.code).toBe(0);
      expect(result.duplicates).toBe(0);
      expect(result.missing).toEqual(badIds);
      expect(dead.length).toBe(badIds.length);
      expect(deadIds.sort((a, b) => a - b)).toEqual(badIds);
      expect(statuses).toEqual(strategy === 'OUTBOX' ? { RECEIVED: 0, SUCCESS: good, FAILED: badIds.length } : { RECEIVED: 0, SUCCESS: 0, FAILED: badIds.length });
      expect(new Set(failedRows.map((row) => `${row.partition}:${row.offset}`)).size).toBe(badIds.length);
      expect(failedRows.filter((row) => row.category === 'DESERIALIZATION_ERROR').length).toBe(badIds.filter(isInvalid).length);
      expect(failedRows.filter((row) => row.category === 'PROCESSING_ERROR').length).toBe(badIds.filter(isThrowing).length);
      expect(ratio).toBeGreaterThanOrEqual(minRatio);
    });
  }
});
