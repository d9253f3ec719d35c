// Scenario 7: faults on the Kafka link. Every connection of the worker and of the test's producer to a private broker
// goes through Toxiproxy (the broker advertises the proxy's address), which adds 200 ms of latency each way, then
// resets connections in bursts (a 1 s `reset_peer` window every 3 s resets every connection that carries data). Checked through the broker's direct listener: no acknowledged write is lost, and the
// read_committed output holds each input record exactly once.
import { setTimeout as sleep } from 'node:timers/promises';
import { Producer, stringSerializer } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { freshTopics, unique } from '../adapters/kafka/testing.ts';
import { events, produce } from './input.ts';
import { awaitOutput, kcatRead, parsedIds } from './read.ts';
import { PrivateBroker } from './private-broker.ts';
import { profile, scaled } from './profile.ts';
import { report } from './report.ts';
import { Toxiproxy } from './toxiproxy.ts';
import type { ChaosOutput } from './worker/config.ts';
import { spawnWorker } from './worker/spawn.ts';
import type { ChaosWorker } from './worker/spawn.ts';

const partitions = 3;
const latencyMs = scaled({ short: 12_000, full: 60_000 });
const resetsMs = scaled({ short: 12_000, full: 60_000 });
const resetEveryMs = 3_000;
const resetWindowMs = 1_000;

let broker: PrivateBroker;
beforeAll(async () => {
  broker = await PrivateBroker.start({ toxiproxy: new Toxiproxy(inject('toxiproxyUrl')) });
}, 180_000);
afterAll(() => broker?.destroy());

/** Produces numbered records through the proxy, 50 per send (at most 500/s), until stopped; remembers which ids were acknowledged. */
function keepProducing(topic: string) {
  const producer = new Producer({
    clientId: unique('chaos-net-producer'),
    bootstrapBrokers: [broker.proxiedBrokers as string],
    idempotent: true,
    timeout: 10_000,
    serializers: { headerKey: stringSerializer },
  });
  const acked: number[] = [];
  let failedSends = 0;
  let next = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const ids = Array.from({ length: 50 }, () => next++);
      const messages = ids.map((id) => ({ topic, key: Buffer.from(`k${id % 37}`), value: Buffer.from(JSON.stringify({ id, seq: id })) }));
      try {
        await producer.send({ messages });
        acked.push(...ids);
      } catch {
        failedSends++;
        await sleep(200);
      }
      await sleep(100);
    }
    await producer.close().catch(() => {});
  })();
  return {
    acked,
    get sent() {
      return next;
    },
    get failedSends() {
      return failedSends;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

/**
 * On failure, prints what the worker wrote (its progress lines, warnings, errors and stderr): a stall seen once in CI
 * left nothing to read but the counts.
 */
function printOutputOnFailure(name: string, worker: ChaosWorker): void {
  onTestFailed(() => {
    const output = worker.output;
    const shown = output.length > 400_000 ? `… (${output.length - 400_000} characters left out)\n${output.slice(-400_000)}` : output;
    console.error(`--- ${name}: worker ${worker.pid} output ---\n${shown}\n--- end of worker output ---`);
  });
}

describe('faults on the Kafka link (Toxiproxy in front of a private broker)', () => {
  it('200 ms latency, then connection resets: no acknowledged write lost, each record exactly once in the output', async () => {
    const proxy = broker.proxy as NonNullable<typeof broker.proxy>;
    const topics = await freshTopics('net', partitions, undefined, broker.directBrokers);
    const group = unique('net');
    const producing = keepProducing(topics.in as string);
    const worker = spawnWorker({ brokers: [broker.proxiedBrokers as string], group, input: topics.in as string, output: topics.out as string, failureMode: 'atomic', instanceId: unique('n'), batchSize: 500 });
    printOutputOnFailure('broker-network', worker);
    await worker.until((e) => e.committed === true, 120_000);

    for (const stream of ['upstream', 'downstream'] as const) {
      await proxy.addToxic({ name: `latency-${stream}`, type: 'latency', stream, attributes: { latency: 200 } });
    }
    await sleep(latencyMs);
    for (const stream of ['upstream', 'downstream'] as const) await proxy.removeToxic(`latency-${stream}`);

    let bursts = 0;
    const resetsEnd = Date.now() + resetsMs;
    while (Date.now() < resetsEnd) {
      await proxy.addToxic({ name: 'reset', type: 'reset_peer', attributes: { timeout: 0 } });
      await sleep(resetWindowMs);
      await proxy.removeToxic('reset');
      bursts++;
      await sleep(resetEveryMs - resetWindowMs);
    }
    const healedAt = Date.now();
    // Input keeps coming for a little while after the last fault, to see processing resume.
    await sleep(5_000);
    await producing.stop();

    const input = await kcatRead(broker.directBrokers, topics.in as string);
    const inputIds = new Set(parsedIds(input));
    const output = await awaitOutput(broker.directBrokers, topics.out as string, inputIds.size, { group, input: topics.in as string, partitions, timeoutMs: 180_000 });
    const firstAfter = await worker.until((e) => e.committed === true && e.at > healedAt, 60_000).then(
      () => (worker.events.find((e) => e.committed === true && e.at > healedAt)?.at ?? healedAt) - healedAt,
      () => -1,
    );
    const exit = await worker.stop();

    const lostAcked = producing.acked.filter((id) => !inputIds.has(id));
    const inputPositions = input.map((m) => `${m.partition}:${m.offset}`);
    const outputPositions = output.map((m) => (JSON.parse(m.value.toString()) as ChaosOutput).from);
    const seen = new Map<string, number>();
    for (const position of outputPositions) seen.set(position, (seen.get(position) ?? 0) + 1);
    const duplicated = [...seen.values()].filter((n) => n > 1).length;
    const missing = inputPositions.filter((position) => !seen.has(position));
    report('broker-network', {
      records: input.length,
      faults: `200 ms latency each way for ${latencyMs / 1000} s, ${bursts} reset bursts`,
      lost: lostAcked.length + missing.length,
      duplicated,
      recoveryMs: firstAfter,
      acked: producing.acked.length,
      sent: producing.sent,
      failedSends: producing.failedSends,
      inputDuplicates: input.length - inputIds.size,
      abortedBatches: worker.events.filter((e) => e.committed === false).length,
      workerWarnings: worker.events.filter((e) => e.warn).length,
    });

    expect(producing.acked.length).toBeGreaterThan(0);
    expect(bursts).toBeGreaterThanOrEqual(3);
    expect(lostAcked).toEqual([]);
    expect(missing.slice(0, 20)).toEqual([]);
    expect(duplicated).toBe(0);
    expect(outputPositions.length).toBe(inputPositions.length);
    expect(exit.code).toBe(0);
  });

  // Full profile only (it takes over a minute): answers from the broker swallowed for 45 s on a live connection (a
  // Toxiproxy `timeout` toxic with no timeout: nothing closes, nothing errors). The client's fetch then never answers;
  // the source notices after 30 s without a fetch answered, reopens its stream at the committed offsets, and the
  // worker goes on once the link heals.
  it.runIf(profile === 'full')('answers swallowed for 45 s: the worker warns, resumes once the link heals, each record exactly once', async () => {
    const proxy = broker.proxy as NonNullable<typeof broker.proxy>;
    const topics = await freshTopics('swallow', partitions, undefined, broker.directBrokers);
    const group = unique('swallow');
    const before = events(3_000);
    await produce(broker.directBrokers, topics.in as string, before);
    const worker = spawnWorker({ brokers: [broker.proxiedBrokers as string], group, input: topics.in as string, output: topics.out as string, failureMode: 'atomic', instanceId: unique('w'), batchSize: 500 });
    printOutputOnFailure('broker-network swallowed answers', worker);
    await worker.until((e) => (e.total ?? 0) >= before.length, 120_000);

    await proxy.addToxic({ name: 'swallow', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
    const during = events(5_000).slice(before.length);
    await produce(broker.directBrokers, topics.in as string, during);
    await sleep(45_000);
    await proxy.removeToxic('swallow');
    const healedAt = Date.now();
    const total = before.length + during.length;
    const resumed = await worker.until((e) => (e.total ?? 0) >= total, 60_000).then(
      () => Date.now() - healedAt,
      () => -1,
    );
    const output = await awaitOutput(broker.directBrokers, topics.out as string, total, { group, input: topics.in as string, partitions, timeoutMs: 60_000 });
    const exit = await worker.stop();

    const positions = output.map((m) => (JSON.parse(m.value.toString()) as ChaosOutput).from);
    const duplicated = positions.length - new Set(positions).size;
    const warnings = worker.events.filter((e) => e.warn).map((e) => e.warn);
    report('broker-network swallowed answers', {
      records: total,
      faults: 'broker answers swallowed for 45 s',
      lost: total - new Set(positions).size,
      duplicated,
      recoveryMs: resumed,
      workerWarnings: warnings,
    });

    expect(resumed).toBeGreaterThanOrEqual(0);
    expect(new Set(positions).size).toBe(total);
    expect(duplicated).toBe(0);
    expect(exit.code).toBe(0);
  }, 300_000);
});
