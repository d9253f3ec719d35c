import { Admin } from '@platformatic/kafka';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders, RetryTopicHeaders, retryTopicName } from '../core/index.ts';
import { brokers, freshTopics, produceRecords, readTopic, unique } from '../adapters/kafka/testing.ts';
import type { KafkaMessage } from '../adapters/kafka/records.ts';
import { runCli, spawnCli, writeConfig } from './testing/spawn-cli.ts';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://orchestron:orchestron@127.0.0.1:5432/orchestron';
const flakyTransform = new URL('./testing/flaky-transform.ts', import.meta.url).pathname;

interface Row {
  readonly topic: string;
  readonly status: string;
  readonly attempts: number;
  readonly id: number | undefined;
}

/** The tracker's rows, each with the `id` of the payload it captured. */
async function rows(table: string): Promise<Row[]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const found = await sql.unsafe<{ topic: string; status: string; attempts: number; payload: Uint8Array | null }[]>(`SELECT topic, status, attempts, payload FROM public.${table}`);
    return found.map(({ topic, status, attempts, payload }) => {
      let id: number | undefined;
      try {
        id = (JSON.parse(Buffer.from(payload ?? []).toString()) as { id?: number }).id;
      } catch {
        id = undefined;
      }
      return { topic, status, attempts, id };
    });
  } catch {
    return [];
  } finally {
    await sql.end();
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= giveUpAt) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const idOf = (message: KafkaMessage) => (JSON.parse(message.value.toString()) as { id: number }).id;
const header = (message: KafkaMessage, name: string) => message.headers.get(name)?.toString();

function config(topics: Record<string, string>, table: string, delaysMs: readonly number[], extra: Record<string, unknown> = {}) {
  return writeConfig({
    topics: [topics.in],
    outputTopic: topics.out,
    failureMode: 'skip-and-log',
    maxAttempts: 1,
    trackerStrategy: 'OUTBOX',
    capturePayload: true,
    store: 'postgres',
    postgres: { trackerTable: table },
    retryTopics: { enabled: true, delaysMs },
    transform: { module: flakyTransform, orderBy: 'key' },
    http: { enabled: false },
    ...extra,
    kafka: { groupId: unique('retry-topics'), commitIntervalMs: 100, lagIntervalMs: 1_000, ...(extra.kafka as object | undefined) },
  });
}

describe('retry topics through `orchestron run`', () => {
  it('retries a record through two delay topics into the output once, dead-letters one after the last delay, keeps the other records in order', async () => {
    const topics = await freshTopics('retry-topics', 2, ['in', 'out', 'in-retry-200', 'in-retry-400', 'in-dlq']);
    expect(retryTopicName(topics.in!, 200)).toBe(topics['in-retry-200']);
    const table = unique('retry_rows').replaceAll('-', '_');
    const records = Array.from({ length: 30 }, (_, id) => ({
      key: `k${id % 3}`,
      value: { id, seq: id, ...(id === 7 ? { failTimes: 2 } : id === 13 ? { failTimes: 9 } : id === 4 || id === 10 ? { failTimes: 1 } : {}) },
    }));
    await produceRecords(topics.in!, [...records, { key: 'bad', value: 'not json' }]);
    const file = await config(topics, table, [200, 400]);
    const run = spawnCli('node', ['run', '--config', file]);
    let tracked: Row[];
    try {
      tracked = await until(() => rows(table), (r) => r.length === 31 && r.every((row) => row.status === 'SUCCESS' || row.status === 'FAILED'), 60_000);
      run.signal('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }

    // One row per record, on its original topic, with one final status and the deliveries counted.
    expect(tracked).toHaveLength(31);
    expect(tracked.every((row) => row.topic === topics.in)).toBe(true);
    expect(tracked.find((row) => row.id === 7)).toMatchObject({ status: 'SUCCESS', attempts: 3 });
    expect(tracked.find((row) => row.id === 4)).toMatchObject({ status: 'SUCCESS', attempts: 2 });
    expect(tracked.find((row) => row.id === 13)).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(tracked.filter((row) => row.status === 'FAILED').map((row) => row.id ?? 'bad').sort()).toEqual([13, 'bad']);

    // Every record but the dead-lettered one lands once; records that did not fail keep their key's order.
    const output = await readTopic(topics.out!, 29, 30_000);
    const ids = output.map(idOf);
    expect([...ids].sort((a, b) => a - b)).toEqual(records.map((r) => r.value.id).filter((id) => id !== 13));
    const retried = new Set([4, 7, 10]);
    for (const key of ['k0', 'k1', 'k2']) {
      const ofKey = output.filter((m) => m.key.toString() === key && !retried.has(idOf(m))).map(idOf);
      expect(ofKey).toEqual([...ofKey].sort((a, b) => a - b));
    }
    // The retried key's order is not kept: its retried records land after the later ones. Records of a key that
    // failed alike (4 and 10, once each) keep their order through the retry topic.
    const k1 = output.filter((m) => m.key.toString() === 'k1').map(idOf);
    expect(k1.slice(-3)).toEqual([4, 10, 7]);

    // Each hop went through its retry topic, with Spring's headers; the last hop's record is the dead letter.
    const [first] = await readTopic(topics['in-retry-200']!, 4, 10_000).then((m) => m.filter((r) => idOf(r) === 7));
    expect(first && header(first, RetryTopicHeaders.attempts)).toBe('2');
    expect(first && header(first, RetryTopicHeaders.originalTopic)).toBe(topics.in);
    expect(Number(first && header(first, RetryTopicHeaders.backoffTimestamp))).toBeGreaterThan(0);
    const dead = await readTopic(topics['in-dlq']!, 2, 10_000);
    const exhausted = dead.find((m) => header(m, DeadLetterHeaders.code) === 'PROCESSING_ERROR');
    const unreadable = dead.find((m) => header(m, DeadLetterHeaders.code) === 'DESERIALIZATION_ERROR');
    expect(exhausted && header(exhausted, DeadLetterHeaders.sourceTopic)).toBe(topics.in);
    expect(exhausted && header(exhausted, RetryTopicHeaders.attempts)).toBe('3');
    expect(exhausted && header(exhausted, DeadLetterHeaders.sourceAttempts)).toBe('3');
    expect(unreadable && header(unreadable, RetryTopicHeaders.attempts)).toBeUndefined();

    // replay republishes the exhausted record to the original topic, not to a retry topic.
    const replayed = await runCli('node', ['replay', '--config', file, '--category', 'PROCESSING_ERROR']);
    expect(replayed.code).toBe(0);
    const input = await readTopic(topics.in!, 32, 30_000);
    expect(input.filter((m) => m.value.toString().startsWith('{') && idOf(m) === 13)).toHaveLength(2);
  });

  it('loses nothing when the process is killed while a record waits in a retry topic: the restart delivers it, the row ends SUCCESS', async () => {
    const topics = await freshTopics('retry-crash', 1, ['in', 'out', 'in-retry-5000']);
    const retryTopic = topics['in-retry-5000']!;
    const table = unique('retry_crash').replaceAll('-', '_');
    await produceRecords(topics.in!, [{ key: 'a', value: { id: 1, failTimes: 1 } }, { key: 'b', value: { id: 2 } }]);
    const file = await config(topics, table, [5_000], {
      http: { enabled: true, host: '127.0.0.1', port: 0 },
      kafka: { instanceId: unique('retry-crash'), sessionTimeoutMs: 6_000, stallTimeoutMs: 1_000 },
    });
    const first = spawnCli('node', ['run', '--config', file]);
    try {
      const url = await first.url();
      const waiting = await until(() => rows(table), (r) => r.some((row) => row.id === 1 && row.status === 'RETRYING'), 30_000);
      expect(waiting.find((row) => row.id === 1)).toMatchObject({ status: 'RETRYING', attempts: 1 });
      // Held well past the stall timeout: not stalled, so ready, and its lag is there to see.
      const lagLine = new RegExp(`^orchestron_consumer_lag\\{[^}]*topic="${retryTopic}"[^}]*\\} 1$`, 'm');
      const metrics = await until(() => fetch(`${url}/metrics`).then((r) => r.text()), (text) => lagLine.test(text), 10_000);
      expect(metrics).toMatch(lagLine);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const ready = await fetch(`${url}/health/ready`);
      const report = (await ready.json()) as { status: string; checks: Record<string, string> };
      expect(report).toMatchObject({ status: 'ready' });
      expect(ready.status).toBe(200);
      expect((await rows(table)).find((row) => row.id === 1)?.status).toBe('RETRYING');
    } finally {
      first.child.kill('SIGKILL');
    }
    await first.exited;

    const second = spawnCli('node', ['run', '--config', file]);
    try {
      const tracked = await until(() => rows(table), (r) => r.find((row) => row.id === 1)?.status === 'SUCCESS', 60_000);
      expect(tracked.find((row) => row.id === 1)).toMatchObject({ status: 'SUCCESS', attempts: 2 });
      const output = await readTopic(topics.out!, { distinctIds: 2 }, 30_000);
      expect(new Set(output.map(idOf))).toEqual(new Set([1, 2]));
      second.signal('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      second.child.kill('SIGKILL');
    }
  });

  it('creates the missing retry topics at start with the source topic\'s partitions (retryTopics.autoCreateTopics)', async () => {
    const topics = await freshTopics('retry-create', 3, ['in', 'out']);
    const retryTopic = retryTopicName(topics.in!, 300);
    const table = unique('retry_create').replaceAll('-', '_');
    await produceRecords(topics.in!, [{ key: 'a', value: { id: 1, failTimes: 1 } }, { key: 'b', value: { id: 2 } }]);
    const file = await config(topics, table, [300]);
    const run = spawnCli('node', ['run', '--config', file]);
    try {
      const output = await readTopic(topics.out!, { distinctIds: 2 }, 30_000);
      expect(new Set(output.map(idOf))).toEqual(new Set([1, 2]));
      run.signal('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
    const admin = new Admin({ clientId: unique('retry-create-check'), bootstrapBrokers: brokers });
    try {
      const metadata = await admin.metadata({ topics: [retryTopic] });
      expect(metadata.topics.get(retryTopic)?.partitionsCount).toBe(3);
    } finally {
      await admin.close();
    }
    expect((await rows(table)).find((row) => row.id === 1)).toMatchObject({ status: 'SUCCESS', attempts: 2 });
  });
});
