import { Admin, Producer } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { BatchControl, ManualClock, pipelineContext } from '../../core/index.ts';
import type { Logger } from '../../core/index.ts';
import { brokenProducerState, kafkaError } from './errors.ts';
import { headerNameSerializer } from './header-names.ts';
import { ProducerHolder } from './producer-holder.ts';
import type { ProducerClaim } from './producer-holder.ts';
import type { KafkaOutbound } from './records.ts';
import { brokers, kcatRead, unique } from './testing.ts';
import { BatchTransactions } from './transactions.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const context = pipelineContext({ failureMode: 'atomic' });
const control = (id: number) => new BatchControl({ id, positions: [], context, settlement: { commit: async () => {}, abort: async () => {} } });

async function compactedTopic(): Promise<string> {
  const name = unique('producer-holder-compacted');
  const admin = new Admin({ clientId: unique('holder-admin'), bootstrapBrokers: brokers });
  try {
    await admin.createTopics({ topics: [name], partitions: 1, replicas: 1, configs: [{ name: 'cleanup.policy', value: 'compact' }] });
  } finally {
    await admin.close();
  }
  return name;
}

const transactional = (transactionalId: string, timeout?: number) => (claim: ProducerClaim) =>
  new Producer({
    clientId: unique('holder'),
    bootstrapBrokers: brokers,
    idempotent: true,
    transactionalId,
    ...claim,
    ...(timeout ? { timeout } : {}),
    serializers: { headerKey: headerNameSerializer },
  });

const record = (topic: string, id: number, keyed = true): KafkaOutbound => ({
  topic,
  partition: 0,
  ...(keyed ? { key: Buffer.from(`k${id}`) } : {}),
  value: Buffer.from(JSON.stringify({ id })),
});

describe('kafka: a transactional producer left broken', () => {
  it('is refused OUT_OF_ORDER_SEQUENCE_NUMBER when reused after a refused send; recreated, it claims the next epoch and writes exactly', async () => {
    const topic = await compactedTopic();
    const transactionalId = unique('holder-txn');

    // The client's producer as is: a send the broker refused still counted its sequence numbers.
    const reused = transactional(transactionalId)({ producerId: -1n, producerEpoch: -1 });
    const first = await reused.beginTransaction();
    await expect(first.send({ messages: [record(topic, 0, false)] })).rejects.toThrow();
    await first.abort();
    const second = await reused.beginTransaction();
    const refused = await second.send({ messages: [record(topic, 1)] }).then(() => undefined, (error: unknown) => error);
    expect(brokenProducerState(refused)).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(kafkaError(refused, 'produce')).toMatchObject({ code: 'SINK_ERROR', retryable: true });
    await second.abort().catch(() => {});
    await reused.close(true);

    // Through BatchTransactions: the failed send has the producer recreated when its batch is aborted.
    const producers = new ProducerHolder(transactional(transactionalId), quiet);
    const transactions = new BatchTransactions(producers, quiet, new ManualClock());
    try {
      const poisoned = control(1);
      await expect(transactions.send(poisoned, [record(topic, 2, false)])).rejects.toMatchObject({ name: 'RecordRefusedError', message: expect.stringContaining('INVALID_RECORD') });
      const before = { id: producers.current.producerId, epoch: producers.current.producerEpoch };
      await transactions.abort(poisoned);
      expect(producers.renewals).toBe(1);

      const clean = control(2);
      await transactions.send(clean, [record(topic, 3), record(topic, 4)]);
      await transactions.commit(clean, []);
      // The new producer claimed the old one's id and epoch: the coordinator gave it the same id, the next epoch.
      expect(producers.current.producerId).toBe(before.id);
      expect(producers.current.producerEpoch).toBe((before.epoch ?? 0) + 1);
    } finally {
      await producers.close();
    }
    const written = await kcatRead(brokers.join(','), topic, { distinctIds: 2, timeoutMs: 20_000 });
    expect(written.map((m) => JSON.parse(m.value.toString()) as { id: number }).map((v) => v.id)).toEqual([3, 4]);
  }, 60_000);

  it('is not recreated over a newer instance: claiming its old epoch, it is answered PRODUCER_FENCED', async () => {
    const topic = await compactedTopic();
    const transactionalId = unique('holder-zombie');
    const zombie = new ProducerHolder(transactional(transactionalId), quiet);
    const zombieTransactions = new BatchTransactions(zombie, quiet, new ManualClock());
    const live = new ProducerHolder(transactional(transactionalId), quiet);
    try {
      const old = control(1);
      await zombieTransactions.send(old, [record(topic, 1)]);
      await zombieTransactions.commit(old, []);
      // The old instance is in a transaction when another with the same transactional id starts: the coordinator
      // aborts that transaction and gives the id the next epoch.
      const late = control(2);
      await zombieTransactions.send(late, [record(topic, 2)]);
      const taken = await live.current.beginTransaction();
      await taken.send({ messages: [record(topic, 3)] });
      await taken.commit();
      // The old instance's next send carries the old epoch: refused; the producer it recreates claims that epoch and
      // is answered PRODUCER_FENCED, so it stops instead of fencing the newer instance in turn.
      const lateError = await zombieTransactions.send(late, [record(topic, 4)]).then(() => undefined, (error: unknown) => error);
      expect(lateError).toMatchObject({ code: 'SINK_ERROR', message: expect.stringContaining('INVALID_PRODUCER_EPOCH') });
      await zombieTransactions.abort(late).catch(() => {});
      await expect(zombieTransactions.send(control(3), [record(topic, 5)])).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });
      expect(zombie.renewals).toBe(1);
      const again = await live.current.beginTransaction();
      await again.send({ messages: [record(topic, 6)] });
      await again.commit();
      const written = await kcatRead(brokers.join(','), topic, { distinctIds: 3, timeoutMs: 20_000 });
      expect(written.map((m) => (JSON.parse(m.value.toString()) as { id: number }).id)).toEqual([1, 3, 6]);
    } finally {
      await zombie.close(true);
      await live.close(true);
    }
  }, 60_000);

  it('is recreated after the coordinator timed its transaction out (INVALID_PRODUCER_EPOCH, not fenced), and goes on', async () => {
    const topic = await compactedTopic();
    // The client sends its request timeout as the transaction timeout: 1 s here; the broker aborts expired
    // transactions on its next check (every 10 s by default), giving the id the next epoch.
    const producers = new ProducerHolder(transactional(unique('holder-timeout'), 1_000), quiet);
    const transactions = new BatchTransactions(producers, quiet, new ManualClock());
    try {
      const slow = control(1);
      await transactions.send(slow, [record(topic, 1)]);
      let refused: unknown;
      for (let waited = 0; refused === undefined && waited < 30; waited++) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        refused = await transactions.send(slow, [record(topic, 2)]).then(() => undefined, (error: unknown) => error);
      }
      expect(refused).toMatchObject({ code: 'SINK_ERROR', retryable: true, message: expect.stringContaining('INVALID_PRODUCER_EPOCH') });
      // The coordinator answers the abort with the old epoch PRODUCER_FENCED; the recreated producer's claim decides.
      await transactions.abort(slow);
      expect(producers.renewals).toBe(1);
      const next = control(2);
      await transactions.send(next, [record(topic, 3)]);
      await transactions.commit(next, []);
    } finally {
      await producers.close(true);
    }
    const written = await kcatRead(brokers.join(','), topic, { distinctIds: 1, timeoutMs: 20_000 });
    expect(written.map((m) => (JSON.parse(m.value.toString()) as { id: number }).id)).toEqual([3]);
  }, 60_000);
});
