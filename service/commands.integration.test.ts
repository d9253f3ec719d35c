import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { freshTopics, produceRecords, readTopic, unique } from '../adapters/kafka/testing.ts';
import { runCli, spawnCli, writeConfig } from './testing/spawn-cli.ts';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://orchestron:orchestron@127.0.0.1:5432/orchestron';
const failingTransform = new URL('./testing/failing-transform.ts', import.meta.url).pathname;
const jsonLines = (text: string) => text.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('orchestron migrate', () => {
  it('creates the Postgres tracker and dedup tables, then reports them up to date', async () => {
    const name = unique('mig').replace(/-/g, '_');
    const file = await writeConfig({ topics: ['t'], store: 'postgres', postgres: { trackerTable: `${name}_records`, dedupTable: `${name}_dedup` } });
    const first = await runCli('node', ['migrate', '--config', file]);
    expect(first.code).toBe(0);
    const summary = jsonLines(first.output).at(-1);
    expect(summary).toMatchObject({ store: 'postgres', status: 'migrated' });
    expect(Number(summary?.applied)).toBeGreaterThanOrEqual(2);
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const tables = await sql<{ table_name: string }[]>`select table_name from information_schema.tables where table_name like ${`${name}%`} order by 1`;
      expect(tables.map((t) => t.table_name)).toEqual([`${name}_dedup`, `${name}_records`]);
      const again = await runCli('bun', ['migrate', '--config', file, '--target', 'tracker']);
      expect(again.code).toBe(0);
      expect(jsonLines(again.output).at(-1)).toMatchObject({ store: 'postgres', targets: ['tracker'], applied: 0, status: 'up to date' });
    } finally {
      await sql.unsafe(`drop table if exists ${name}_records, ${name}_dedup`);
      await sql.end();
    }
  });

  it('ensures the MongoDB indexes; Redis needs nothing; a wrong target is refused', async () => {
    const mongo = await runCli('node', ['migrate', '--config', await writeConfig({ topics: ['t'], store: 'mongodb', mongodb: { database: unique('mig').replace(/-/g, '_') } })]);
    expect(mongo.code).toBe(0);
    expect(jsonLines(mongo.output)).toEqual([
      { store: 'mongodb', target: 'tracker', status: 'indexes ensured' },
      { store: 'mongodb', target: 'dedup', status: 'indexes ensured' },
    ]);
    const redis = await runCli('node', ['migrate', '--config', await writeConfig({ topics: ['t'], store: 'redis' })]);
    expect(jsonLines(redis.output)[0]).toMatchObject({ store: 'redis', status: expect.stringContaining('nothing to migrate') });
    const wrong = await runCli('node', ['migrate', '--config', await writeConfig({ topics: ['t'], store: 'postgres' }), '--target', 'everything']);
    expect(wrong.code).toBe(2);
    expect(wrong.output).toContain('--target: must be one of tracker, dedup; got "everything"');
  });
});

describe('orchestron replay', () => {
  it('republishes the dead letters a run produced, filtered by category', async () => {
    const topics = await freshTopics('replay-cli', 3, ['in', 'out', 'dlq', 'fixed']);
    const records = Array.from({ length: 60 }, (_, id) => ({ key: `k${id}`, value: id % 10 === 0 ? { id, fail: true } : { id } }));
    await produceRecords(topics.in!, [...records, { key: 'bad', value: 'not json' }]);
    const file = await writeConfig({
      topics: [topics.in],
      outputTopic: topics.out,
      deadLetterTopic: topics.dlq,
      failureMode: 'skip-and-log',
      maxAttempts: 1,
      kafka: { groupId: unique('replay-cli') },
      transform: { module: failingTransform },
      http: { enabled: false },
    });
    const run = spawnCli('node', ['run', '--config', file]);
    try {
      const dead = await readTopic(topics.dlq!, 7, 60_000);
      expect(dead).toHaveLength(7);
      run.signal('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }

    const replayed = await runCli('node', ['replay', '--config', file, '--to', topics.fixed!, '--category', 'PROCESSING_ERROR', '--rate', '100']);
    expect(replayed.code).toBe(0);
    expect(jsonLines(replayed.output).at(-1)).toMatchObject({ dlqTopic: topics.dlq, read: 7, replayed: 6, skipped: 1, parked: 0, byCategory: { PROCESSING_ERROR: 6 } });
    const fixed = await readTopic(topics.fixed!, 6, 30_000);
    expect(fixed.map((m) => (JSON.parse(m.value.toString()) as { id: number }).id).sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(fixed.every((m) => m.headers.get('replay_count')?.toString() === '1' && !m.headers.has('error_category'))).toBe(true);

    const again = await runCli('node', ['replay', '--config', file, '--to', topics.fixed!]);
    expect(jsonLines(again.output).at(-1)).toMatchObject({ read: 0, replayed: 0 });
  });
});
