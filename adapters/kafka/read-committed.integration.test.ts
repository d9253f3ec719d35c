import { Producer } from '@platformatic/kafka';
import { beforeAll, describe, expect, it } from 'vitest';
import { commit, decode, pipeline, pipelineContext, transform, utf8 } from '../../core/index.ts';
import { brokers, freshTopics, kcatRead, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

/**
 * read_committed as Kafka defines it, checked against kcat (librdkafka): one partition holding aborted transactions
 * interleaved with committed ones — several aborts in a row, another producer committing and a plain producer writing
 * inside an aborted range, and aborted ranges of many batches, so that small fetches see a range without its abort
 * marker. The Kafka source must hand the pipeline exactly what kcat reads.
 */

type KafkaProducer = Producer<Buffer, Buffer, Buffer, Buffer>;

/** ~1 KB values `<label>:<padding>`; the comparisons use the labels. */
const padding = 'x'.repeat(1_000);
const labelOf = (value: string): string => value.slice(0, value.indexOf(':'));

function messages(topic: string, label: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({ topic, partition: 0, key: Buffer.from(label), value: Buffer.from(`${label}-${i}:${padding}`) }));
}

const transactional = (): KafkaProducer =>
  new Producer({ clientId: unique('rc-tx'), bootstrapBrokers: brokers, idempotent: true, transactionalId: unique('rc-tx'), producerId: -1n, producerEpoch: -1 });

/** One transaction of `sends` produce requests (one batch each) of `perSend` records, then committed or aborted. */
async function transaction(producer: KafkaProducer, topic: string, label: string, outcome: 'commit' | 'abort', sends = 1, perSend = 3) {
  const tx = await producer.beginTransaction();
  for (let s = 0; s < sends; s++) await tx.send({ messages: messages(topic, `${label}.${s}`, perSend) });
  await (outcome === 'commit' ? tx.commit() : tx.abort());
}

/** Writes the partition; returns the labels a read_committed reader must see, in order. */
async function writeScenario(topic: string): Promise<string[]> {
  const first = transactional();
  const second = transactional();
  const plain = new Producer({ clientId: unique('rc-plain'), bootstrapBrokers: brokers, idempotent: true });
  const expected: string[] = [];
  const committed = (label: string, sends = 1, perSend = 3) => {
    for (let s = 0; s < sends; s++) for (let i = 0; i < perSend; i++) expected.push(`${label}.${s}-${i}`);
  };
  try {
    await transaction(first, topic, 'c0', 'commit');
    committed('c0');
    // A range of 8 batches of ~10 KB: with 8 KB fetches, its abort marker comes 8 fetches after its first record.
    await transaction(first, topic, 'a1', 'abort', 8, 10);
    // Several aborts of one producer in a row, small enough to share one fetch.
    await transaction(first, topic, 'a2', 'abort');
    await transaction(first, topic, 'a3', 'abort');
    await transaction(first, topic, 'a4', 'abort', 2, 1);
    await transaction(first, topic, 'c1', 'commit');
    committed('c1');
    // Inside an open transaction that will abort: another producer's committed transaction and a plain record.
    const open = await first.beginTransaction();
    await open.send({ messages: messages(topic, 'a5.0', 10) });
    await transaction(second, topic, 'c2', 'commit');
    committed('c2');
    await plain.send({ messages: messages(topic, 'p0.0', 2) });
    committed('p0', 1, 2);
    await open.send({ messages: messages(topic, 'a5.1', 10) });
    await open.abort();
    await transaction(first, topic, 'c3', 'commit', 2);
    committed('c3', 2);
    await transaction(second, topic, 'a6', 'abort', 4, 10);
    await transaction(first, topic, 'a7', 'abort');
    await transaction(first, topic, 'end', 'commit', 1, 1);
    committed('end', 1, 1);
  } finally {
    await Promise.all([first.close(), second.close(), plain.close()]);
  }
  return expected;
}

/** The labels the Kafka source hands an exactly-once pipeline reading `topic`, up to the `end` record. */
async function readWithSource(topic: string, fetchBytes?: number): Promise<string[]> {
  const context = pipelineContext({ failureMode: 'atomic', consumerGroup: unique('rc-g') });
  const transport = new KafkaTransport({
    brokers,
    groupId: context.consumerGroup,
    topics: [topic],
    failureMode: 'atomic',
    instanceId: unique('rc-i'),
    batchSize: 50,
    commitIntervalMs: 50,
    ...(fetchBytes ? { fetchMaxBytes: fetchBytes, fetchMaxBytesPerPartition: fetchBytes } : {}),
    context,
  });
  const stop = new AbortController();
  const labels: string[] = [];
  const collect = (value: string) => {
    labels.push(labelOf(value));
    if (labels.at(-1) === 'end.0-0') stop.abort();
    return value;
  };
  try {
    const run = pipeline(transport.source(stop.signal), decode(utf8()), transform(collect, { concurrency: 1 }), commit());
    for await (const _ of run);
  } finally {
    await transport.close();
  }
  return labels;
}

describe('kafka source: read_committed', () => {
  let topic = '';
  let kcat: string[] = [];
  beforeAll(async () => {
    topic = (await freshTopics('read-committed', 1, ['in'])).in as string;
    const expected = await writeScenario(topic);
    kcat = (await kcatRead(brokers.join(','), topic)).map((m) => labelOf(m.value.toString()));
    expect(kcat).toEqual(expected);
  });

  it('skips aborted ranges that span several fetches exactly as kcat does (8 KB fetches)', async () => {
    expect(await readWithSource(topic, 8_192)).toEqual(kcat);
  });

  it('skips several aborted transactions of one producer in one fetch exactly as kcat does (default fetches)', async () => {
    expect(await readWithSource(topic)).toEqual(kcat);
  });
});
