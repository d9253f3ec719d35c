// Scenario 5: poison. 1 % of the input is invalid JSON and 1 % makes the transform throw. The pipeline does not stall:
// each bad record gets exactly one FAILED tracker row (Postgres) and exactly one dead letter, every good record is in
// the output, and throughput stays close to a clean run of the same size. The clean and the poisoned worker run side
// by side, at the same time, so that the shared machine's load weighs on both alike; their rates are compared over
// the window in which both were running.
import { afterAll, describe, expect, it } from 'vitest';
import type { FailureMode, TrackerStrategy } from '../core/index.ts';
import { audit, brokers, freshTopics, unique } from '../adapters/kafka/testing.ts';
import { createPostgresTracker } from '../adapters/postgres/tracker.ts';
import { databaseUrl, dropTables, uniqueName } from '../adapters/postgres/testing.ts';
import type { InputRecord } from './input.ts';
import { produce } from './input.ts';
import { awaitOutput, kcatRead } from './read.ts';
import { scaled } from './profile.ts';
import { median } from '../soak/summary.ts';
import { report } from './report.ts';
import type { ChaosWorker } from './worker/spawn.ts';
import { spawnWorker } from './worker/spawn.ts';

const broker = brokers.join(',');
const partitions = 6;
/**
 * Records per worker. Full runs are long (at-least-once 1,000,000, exactly-once 300,000: windows of ~20 s) so that the
 * window measured spans many major garbage collections of both workers and their JIT has long settled; over a few
 * seconds one collection more or less in either worker moved the ratio by ±0.15 (exactly-once rounds of 100,000, ~5 s
 * windows, went from 0.63 to 1.10 in one run).
 */
const countFor = (failureMode: FailureMode): number =>
  failureMode === 'atomic' ? scaled({ short: 40_000, full: 300_000 }) : scaled({ short: 60_000, full: 1_000_000 });
/**
 * Side-by-side rounds. The short profile's best-of-rounds check needs three: in four fresh-clone CI runs its
 * exactly-once rounds ranged 0.31–1.93 over ~1 s spans, and one run had both of two rounds just under 0.5 while a
 * quiet rerun measured 0.81 and 0.93.
 */
const rounds = scaled({ short: 3, full: 3 });
/**
 * The figure judged: the full profile's median ratio says "as fast"; the short profile only says "no stall", which
 * would slow every round, so its best round is judged — its spans last 1–3 s, and one pause of either worker (a
 * transaction's first round trips, a collection) took a round to 0.08 in a CI run.
 */
const judged = scaled<(ratios: number[]) => number>({ short: (ratios) => Math.max(...ratios), full: median });
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

type Commit = { readonly at: number; readonly total: number; readonly cpuMs: number };

const commitsOf = (worker: ChaosWorker): Commit[] =>
  worker.events.filter((e) => e.committed === true).map((e) => ({ at: e.at, total: e.total ?? 0, cpuMs: e.cpuMs ?? 0 }));

/** The last commit at or before `at`. */
const commitAt = (commits: readonly Commit[], at: number): Commit =>
  commits.reduce<Commit>((last, c) => (c.at <= at && c.total >= last.total ? c : last), { at: 0, total: 0, cpuMs: 0 });

/** A worker's records per second between two of its commits, and its own CPU per 1,000 records over them. */
function rateBetween(first: Commit, last: Commit, windowMs: number) {
  const records = last.total - first.total;
  return {
    perSecond: windowMs > 0 ? records / (windowMs / 1000) : 0,
    // The worker's own CPU per 1,000 records: tells a costlier record apart from a slower machine.
    cpuMsPer1000: records > 0 ? ((last.cpuMs - first.cpuMs) * 1000) / records : 0,
  };
}

const firstAt = (commits: readonly Commit[], total: number): Commit | undefined => commits.find((e) => e.total >= total);

/**
 * Records per second of each worker over the window in which both were past 20 % of their input (start-up and JIT
 * warm-up left out) and neither had finished (one finishing early would hand the other the whole machine).
 */
function sideBySide(workers: readonly ChaosWorker[], count: number) {
  const commits = workers.map(commitsOf);
  const from = Math.max(...commits.map((c) => firstAt(c, count * 0.2)?.at ?? Number.POSITIVE_INFINITY));
  const to = Math.min(...commits.map((c) => firstAt(c, count)?.at ?? Number.NEGATIVE_INFINITY));
  const windowMs = to > from ? to - from : 0;
  const measured = commits.map((c) => rateBetween(commitAt(c, from), commitAt(c, to), windowMs));
  return { measured, windowMs };
}

/**
 * The short profile's "no stall" measure: each worker's records per second over its own run from 20 % of its input
 * to the end. Short inputs take 1–3 s, so a worker slow to join its group (a transactional producer's first round
 * trips) can start after the other has all but finished, leaving no common window (a CI run got a round of 0 so);
 * a stall still shows, as a long gap inside the stalled worker's own span.
 */
function eachOnItsOwn(workers: readonly ChaosWorker[], count: number) {
  const spans = workers.map(commitsOf).map((c) => {
    const [first, last] = [firstAt(c, count * 0.2), firstAt(c, count)];
    return first && last ? { first, last, spanMs: last.at - first.at } : undefined;
  });
  const measured = spans.map((span) => (span ? rateBetween(span.first, span.last, span.spanMs) : { perSecond: 0, cpuMsPer1000: 0 }));
  return { measured, windowMs: Math.min(...spans.map((span) => span?.spanMs ?? 0)) };
}

/** How each round's rates are taken: side by side (full), or each worker over its own run (short). */
const measure = scaled({ short: eachOnItsOwn, full: sideBySide });

/** The clean and the poisoned input, produced once and read by each round's own consumer groups. */
async function inputs(count: number) {
  const topics = await freshTopics('poison', partitions, ['clean', 'poisoned'], broker);
  await produce(broker, topics.clean as string, input(false, count));
  await produce(broker, topics.poisoned as string, input(true, count));
  return { clean: topics.clean as string, poisoned: topics.poisoned as string };
}

/** One worker's own output and dead-letter topics, tracker table and group. */
async function prepare(inputTopic: string) {
  const { out } = await freshTopics('poison', partitions, ['out'], broker);
  // One partition, as the broker gives a dead-letter topic it creates on first use.
  const { dlq } = await freshTopics('poison', 1, ['dlq'], broker);
  const table = uniqueName('chaos_poison');
  tables.push(table);
  return { input: inputTopic, output: out as string, deadLetters: dlq as string, table, group: unique('poison') };
}

type Prepared = Awaited<ReturnType<typeof prepare>>;

const start = (failureMode: FailureMode, strategy: TrackerStrategy, run: Prepared): ChaosWorker =>
  spawnWorker({
    brokers: [broker],
    group: run.group,
    input: run.input,
    output: run.output,
    deadLetterTopic: run.deadLetters,
    failureMode,
    instanceId: unique('p'),
    // The Kafka adapter's default batch size.
    batchSize: 1_000,
    tracker: { store: 'postgres', url: databaseUrl, name: run.table, strategy },
  });

/** One clean and one poisoned worker started together, each with its own group, output, dead letters and table. */
async function round(failureMode: FailureMode, strategy: TrackerStrategy, topics: { clean: string; poisoned: string }, count: number) {
  const runs = [await prepare(topics.clean), await prepare(topics.poisoned)] as const;
  const workers = runs.map((run) => start(failureMode, strategy, run));
  await Promise.all(workers.map((worker) => worker.until((e) => (e.total ?? 0) >= count, 600_000)));
  const exits = await Promise.all(workers.map((worker) => worker.stop()));
  const { measured, windowMs } = measure(workers, count);
  const [clean, poisoned] = measured as [(typeof measured)[number], (typeof measured)[number]];
  const ratio = clean.perSecond > 0 ? poisoned.perSecond / clean.perSecond : 0;
  return { poisonedRun: runs[1], exit: exits[1], clean, poisoned, ratio, windowMs };
}

describe('poison: 1 % invalid JSON and 1 % throwing transforms', () => {
  for (const [failureMode, strategy] of [['atomic', 'OUTBOX'], ['skip-and-log', 'LIGHTWEIGHT']] as const) {
    it(`${failureMode}, ${strategy} tracker: no stall, one FAILED row and one dead letter per bad record, throughput near a clean run`, async () => {
      const count = countFor(failureMode);
      const badIds = badIdsOf(count);
      const topics = await inputs(count);
      const measured: Awaited<ReturnType<typeof round>>[] = [];
      for (let i = 0; i < rounds; i++) measured.push(await round(failureMode, strategy, topics, count));
      const ratio = judged(measured.map((r) => r.ratio));

      const checked = measured[0]?.poisonedRun as Prepared;
      const exit = measured[0]?.exit;
      const good = count - badIds.length;
      const output = await awaitOutput(broker, checked.output, good, { group: checked.group, input: checked.input, partitions, timeoutMs: 120_000 });
      const dead = await kcatRead(broker, checked.deadLetters);
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
        ratio: Number(ratio.toFixed(3)),
        rounds: measured.map((r) => ({
          clean: Math.round(r.clean.perSecond),
          poisoned: Math.round(r.poisoned.perSecond),
          ratio: Number(r.ratio.toFixed(3)),
          windowMs: r.windowMs,
          cpuMsPer1000: { clean: Number(r.clean.cpuMsPer1000.toFixed(1)), poisoned: Number(r.poisoned.cpuMsPer1000.toFixed(1)) },
        })),
      });

      expect(exit?.code).toBe(0);
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
