// Scenario 11: two exactly-once pipelines chained — the first reads the input and writes `mid`, the second reads `mid`
// (read_committed) and writes the output — two workers each, while workers are killed with SIGKILL and started again
// (same instance id). A kill that lands while a batch has written its records and not yet committed leaves an aborted
// transaction in `mid`, which the second stage must skip. The first stage is killed alone until `mid` holds aborted
// transactions (or a cap); then the second starts, reading with small fetches so that those ranges span fetches, and
// the stages take turns. The final output, read with kcat (read_committed), must hold every input record exactly once.
import { describe, it } from 'vitest';
import type { KafkaMessage } from '../adapters/kafka/records.ts';
import { audit, brokers, freshTopics, unique } from '../adapters/kafka/testing.ts';
import { events, produce } from './input.ts';
import { awaitOutput, kcatRead, parsedIds } from './read.ts';
import { scaled } from './profile.ts';
import { randomBetween, report } from './report.ts';
import type { ChaosWorkerConfig } from './worker/config.ts';
import type { ChaosWorker } from './worker/spawn.ts';
import { spawnWorker } from './worker/spawn.ts';

const broker = brokers.join(',');
const partitions = 6;
const count = scaled({ short: 16_000, full: 200_000 });
const killEveryMs = scaled({ short: [1_000, 2_000], full: [5_000, 15_000] }) as [number, number];
/** Kills of the first stage alone, at most, waiting for aborted transactions in `mid`. */
const maxFirstKills = scaled({ short: 8, full: 20 });
/** Kills once both stages run (taking turns). */
const maxChainedKills = scaled({ short: 4, full: 40 });
/**
 * Small batches with some simulated work (20 records of 8 ms, two at a time): a transaction spends most of its life
 * with records written and open, where a kill aborts it; and the run lasts long enough for the kills.
 */
const work = { batchSize: 20, delayMs: 8, concurrency: 2 };
/** The second stage's fetches: smaller than most of `mid`'s batches, so that an aborted range and its marker come apart. */
const secondFetchMaxBytes = 1_024;
const outputTimeoutMs = scaled({ short: 120_000, full: 900_000 });

/** One pipeline of the chain: a group of two worker slots, each with its own instance id. */
interface Stage {
  readonly config: Omit<ChaosWorkerConfig, 'instanceId'>;
  readonly slots: { readonly instanceId: string; worker: ChaosWorker }[];
  readonly workers: ChaosWorker[];
  readonly killedAt: number[];
}

function startStage(name: string, input: string, output: string, options: Partial<ChaosWorkerConfig> = {}): Stage {
  const config = { brokers: [broker], group: unique(`chained-${name}`), input, output, failureMode: 'atomic' as const, ...work, ...options };
  const workers: ChaosWorker[] = [];
  const slots = ['a', 'b'].map((slot) => {
    const instanceId = unique(`${name}-${slot}`);
    const worker = spawnWorker({ ...config, instanceId });
    workers.push(worker);
    return { instanceId, worker };
  });
  return { config, slots, workers, killedAt: [] };
}

/**
 * Reads of a topic a stage is writing, to follow the scenario's progress: read_uncommitted, since a read_committed kcat
 * read does not end while transactions keep opening on it (it waits for the high watermark, which the last stable
 * offset stays below) and a stage's transactions follow one another with no gap; and cut short after a few seconds,
 * since right after a kill a read can take tens of seconds. A short read only delays a decision: it counts fewer ids.
 * (Not the group's committed offsets against the end of its input either: the second stage's input ends with a
 * transaction marker, an offset no record has.)
 */
const idsIn = async (topic: string): Promise<number[]> =>
  parsedIds(await kcatRead(broker, topic, { isolation: 'read_uncommitted', readAtMostMs: 3_000 }));

/** Every input record reached the stage's output (written, if not yet committed: the final check reads read_committed). */
async function outputComplete(stage: Stage): Promise<boolean> {
  return new Set(await idsIn(stage.config.output)).size >= count;
}

/** Copies of records beyond one per id: records of aborted transactions that were written again after the abort. */
async function abortedCopies(topic: string): Promise<number> {
  const ids = await idsIn(topic);
  return ids.length - new Set(ids).size;
}

/**
 * Kills a worker of the stage at a random moment within a commit interval after it committed a batch: its next
 * transaction is then mostly open with records written, and a kill aborts it. Starts it again. False when no worker of
 * the stage committed anything within `busyWithinMs` (the stage is idle).
 */
async function killOne(stage: Stage, busyWithinMs = 20_000): Promise<boolean> {
  const since = Date.now();
  const committing = stage.slots.map((slot) => slot.worker.until((e) => e.committed === true && e.at >= since, busyWithinMs).then(() => slot));
  const slot = await Promise.any(committing).catch(() => undefined);
  if (!slot) return false;
  await new Promise((resolve) => setTimeout(resolve, randomBetween(0, 100)));
  slot.worker.kill('SIGKILL');
  await slot.worker.exited;
  stage.killedAt.push(Date.now());
  slot.worker = spawnWorker({ ...stage.config, instanceId: slot.instanceId });
  stage.workers.push(slot.worker);
  return true;
}

/**
 * Records of aborted transactions in a topic: read_uncommitted positions below what read_committed reached that
 * read_committed does not have (read in that order, so that records written in between are not counted).
 */
async function abortedRecords(topic: string): Promise<number> {
  const committed = await kcatRead(broker, topic);
  const all = await kcatRead(broker, topic, { isolation: 'read_uncommitted' });
  const key = (m: KafkaMessage) => `${m.partition}:${m.offset}`;
  const seen = new Set(committed.map(key));
  const reached = new Map<number, bigint>();
  for (const m of committed) if (m.offset > (reached.get(m.partition) ?? -1n)) reached.set(m.partition, m.offset);
  return all.filter((m) => m.offset < (reached.get(m.partition) ?? -1n) && !seen.has(key(m))).length;
}

/** Resolves once each worker of the stage committed a batch (a start can take a while on a loaded machine). */
async function atWork(stage: Stage): Promise<void> {
  await Promise.all(stage.slots.map((slot) => slot.worker.until((e) => e.committed === true, 60_000)));
}

/** Longest time from a kill to the stage's next committed batch (by any of its workers). */
function recoveryMs(stage: Stage): number {
  const commits = stage.workers.flatMap((w) => w.events.filter((e) => e.committed).map((e) => e.at)).sort((a, b) => a - b);
  return Math.max(0, ...stage.killedAt.map((at) => (commits.find((c) => c > at) ?? at) - at));
}

const pause = () => new Promise((resolve) => setTimeout(resolve, randomBetween(...killEveryMs)));

describe(`two chained exactly-once pipelines, workers killed with SIGKILL every ${killEveryMs[0] / 1000}–${killEveryMs[1] / 1000} s over ${count} records`, () => {
  it('the final output is exact', async ({ expect }) => {
    const started = performance.now();
    // The scenario's course, printed when it fails (and with CHAOS_VERBOSE as it goes).
    const course: string[] = [];
    const note = (what: string): void => {
      const line = `${Math.round(performance.now() - started)} ms: ${what}`;
      course.push(line);
      if (process.env.CHAOS_VERBOSE) console.error(`[chained] ${line}`);
    };
    const topics = await freshTopics('chained', partitions, ['in', 'mid', 'out'], broker);
    await produce(broker, topics.in as string, events(count));
    const first = startStage('first', topics.in as string, topics.mid as string);
    await atWork(first);
    note('first stage at work');

    // A kill first, then the check: the stage's workers take a few seconds to start writing.
    while (first.killedAt.length < maxFirstKills) {
      await pause();
      const killed = await killOne(first);
      const copies = await abortedCopies(topics.mid as string);
      note(`first stage: ${killed ? 'killed a worker' : 'no commit within 20 s, nothing killed'}; ${copies} aborted copies in mid`);
      if (!killed || copies > 0) break;
    }
    const second = startStage('second', topics.mid as string, topics.out as string, { fetchMaxBytes: secondFetchMaxBytes });
    await atWork(second);
    note('second stage at work');
    const killsEnd = Date.now() + outputTimeoutMs;
    let firstDone = false;
    for (let turn = 0, kills = 0; kills < maxChainedKills && Date.now() < killsEnd; turn++) {
      await pause();
      const target = turn % 2 === 0 && !firstDone ? first : second;
      const killed = await killOne(target);
      if (killed) kills++;
      firstDone ||= await outputComplete(first);
      const secondDone = firstDone && (await outputComplete(second));
      note(`${target === first ? 'first' : 'second'} stage: ${killed ? 'killed a worker' : 'no commit within 20 s, nothing killed'}; first done ${firstDone}, second done ${secondDone}`);
      if (secondDone) break;
    }
    // The first stage's output complete before the second is judged: the second caught up with a `mid` that is still
    // growing is not done.
    const mid = await awaitOutput(broker, topics.mid as string, count, { group: first.config.group, input: first.config.input, partitions, timeoutMs: outputTimeoutMs });
    const output = await awaitOutput(broker, topics.out as string, count, { group: second.config.group, input: second.config.input, partitions, timeoutMs: outputTimeoutMs });
    const finals = [...first.slots, ...second.slots].map((slot) => slot.worker);
    const exits = await Promise.all(finals.map((worker) => worker.stop()));
    finals.forEach((worker, i) => {
      // A worker that did not drain cleanly says why in its last lines.
      if (exits[i]?.code !== 0) console.error(`[chaos] worker ${worker.pid} exited ${exits[i]?.code ?? exits[i]?.signal}:\n${worker.output.slice(-4_000)}`);
    });
    const midResult = audit(mid, count);
    const result = audit(output, count);
    report('chained exactly-once', {
      records: count,
      faults: `${first.killedAt.length} + ${second.killedAt.length} SIGKILL (first + second stage)`,
      lost: result.missing.length,
      duplicated: result.duplicates,
      recoveryMs: Math.max(recoveryMs(first), recoveryMs(second)),
      workers: first.workers.length + second.workers.length,
      // What the second stage had to skip.
      abortedInMid: await abortedRecords(topics.mid as string),
      seconds: Math.round((performance.now() - started) / 1000),
    });

    if (first.killedAt.length + second.killedAt.length < 3) console.error(`[chaos] chained exactly-once: too few kills; the course:\n${course.join('\n')}`);
    expect(first.killedAt.length + second.killedAt.length).toBeGreaterThanOrEqual(3);
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0]);
    expect({ ...midResult, missing: midResult.missing.slice(0, 20) }).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
    expect({ ...result, missing: result.missing.slice(0, 20) }).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
  });
});
