// Consumer lag on a real broker: per assigned partition, the last stable offset minus the group's committed offset,
// with a transaction left open on the input (its records are past the last stable offset, so not lag), and the series
// of a partition a rebalance moved to another instance gone from this one's metrics.
import { Producer } from '@platformatic/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryMetrics, commit, createMetrics, decode, json, named, pipeline, pipelineContext, transform } from '../../core/index.ts';
import { brokers, committedOffsetsOf, freshTopics, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

const perPartition = 20;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
});

const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
};

/** One instance of the group: a pipeline whose transform waits, at the record `holdAt`, until the test ends. */
function instance(input: string, groupId: string, holdAt: number | undefined, groupProtocol: 'classic' | 'consumer' = 'classic') {
  const recorded = new MemoryMetrics();
  const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: groupId, platform: { metrics: createMetrics(recorded) } });
  const transport = new KafkaTransport({
    brokers,
    groupId,
    topics: [input],
    instanceId: unique('lag'),
    batchSize: 5,
    lingerMs: 0,
    commitIntervalMs: 20,
    groupProtocol,
    // The consumer protocol's session and heartbeat are the broker's.
    ...(groupProtocol === 'classic' ? { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 300 } : {}),
    stallTimeoutMs: 0,
    lagIntervalMs: 200,
    context,
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const stop = new AbortController();
  const running = (async () => {
    const run = pipeline(
      transport.source(stop.signal),
      named('decode', decode(json<{ id: number }>())),
      named('transform', transform(async (value: { id: number }) => (value.id === holdAt ? released.then(() => value) : value), { timeoutMs: 0 })),
      commit(),
    );
    for await (const _ of run);
  })();
  cleanups.push(async () => {
    stop.abort();
    release();
    await running.catch(() => {});
    await transport.close();
  });
  const lagOf = (partition: number) =>
    recorded.has('orchestron_consumer_lag', { topic: input, partition: String(partition) })
      ? recorded.value('orchestron_consumer_lag', { topic: input, partition: String(partition) })
      : undefined;
  return { transport, recorded, lagOf };
}

/** The group's committed offsets of `topic` now, in partition order (none before its first commit). */
const committedOffsets = (groupId: string, topic: string) => committedOffsetsOf(groupId, topic, () => true, 0);

describe('kafka source: consumer lag', () => {
  for (const groupProtocol of ['classic', 'consumer'] as const) {
    it(`${groupProtocol} protocol: the last stable offset minus the committed offset per partition, an open transaction not counted; a partition moved away loses its series`, async () => {
      const topics = await freshTopics('lag', 2, ['in']);
      const input = topics.in as string;
      const plain = new Producer({ clientId: unique('lag-writer'), bootstrapBrokers: brokers, idempotent: true });
      const transactional = new Producer({ clientId: unique('lag-tx'), bootstrapBrokers: brokers, idempotent: true, transactionalId: unique('lag-tx'), producerId: -1n, producerEpoch: -1 });
      cleanups.push(() => plain.close(), () => transactional.close());
      const record = (partition: number, id: number) => ({ topic: input, partition, key: Buffer.from(`k${id}`), value: Buffer.from(JSON.stringify({ id })) });
      for (const partition of [0, 1]) {
        await plain.send({ messages: Array.from({ length: perPartition }, (_, i) => record(partition, partition * perPartition + i)) });
      }
      // Open until the test ends: partition 0's last stable offset stays at 20, its high watermark is 25.
      const open = await transactional.beginTransaction();
      cleanups.unshift(() => open.abort());
      await open.send({ messages: Array.from({ length: 5 }, (_, i) => record(0, 100 + i)) });

      const groupId = unique('lag-group');
      // Holds partition 1's 14th record: the pipeline stops there, with part of the records committed.
      const first = instance(input, groupId, perPartition + 13, groupProtocol);
      const lastStable = BigInt(perPartition);
      const agrees = async () => {
        const committed = await committedOffsets(groupId, input);
        return [0, 1].every((partition) => {
          const offset = committed[partition];
          return offset !== undefined && first.lagOf(partition) === Number(lastStable - offset);
        }) && (first.lagOf(1) ?? 0) > 0;
      };
      expect(await until(agrees)).toBe(true);
      const committed = await committedOffsets(groupId, input);
      expect(committed[1]).toBeLessThanOrEqual(13n);
      expect(first.recorded.value('orchestron_consumer_total_lag')).toBe((first.lagOf(0) ?? 0) + (first.lagOf(1) ?? 0));
      expect(first.transport.consumerLag().map((l) => ({ partition: l.partition, lastStable: l.lastStable }))).toEqual([
        { partition: 0, lastStable },
        { partition: 1, lastStable },
      ]);

      // A second instance joins: one partition moves to it, and only it reports that partition's lag from then on.
      const second = instance(input, groupId, undefined, groupProtocol);
      const split = () => first.transport.assignments().flatMap((a) => a.partitions).length === 1 && second.transport.assignments().flatMap((a) => a.partitions).length === 1;
      expect(await until(split, 30_000)).toBe(true);
      const [kept] = first.transport.assignments().flatMap((a) => a.partitions);
      const moved = kept === 0 ? 1 : 0;
      expect(await until(() => first.lagOf(moved) === undefined && first.lagOf(kept as number) !== undefined && second.lagOf(moved) !== undefined)).toBe(true);
      expect(second.lagOf(kept as number)).toBeUndefined();
      expect(first.transport.consumerLag().map((l) => l.partition)).toEqual([kept]);
    }, 60_000);
  }

  it('counts a partition the group never committed from its log start, when the group starts there', async () => {
    const topics = await freshTopics('lag-fresh', 1, ['in']);
    const input = topics.in as string;
    const plain = new Producer({ clientId: unique('lag-writer'), bootstrapBrokers: brokers, idempotent: true });
    cleanups.push(() => plain.close());
    await plain.send({ messages: Array.from({ length: 10 }, (_, id) => ({ topic: input, partition: 0, key: Buffer.from('k'), value: Buffer.from(JSON.stringify({ id })) })) });
    // The first record is held: the group never commits.
    const fresh = instance(input, unique('lag-group'), 0);
    expect(await until(() => fresh.lagOf(0) === 10)).toBe(true);
    expect(await committedOffsets(fresh.transport.options.groupId, input)).toEqual([]);
  }, 30_000);
});
