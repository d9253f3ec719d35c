import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { trackerContract } from '../../core/testing/tracker-contract.ts';
import { migrate } from './migrations.ts';
import { PostgresTracker, createPostgresTracker } from './tracker.ts';
import { databaseUrl, dropTables, uniqueName } from './testing.ts';

trackerContract('postgres', async (clock) => {
  const table = uniqueName('orchestron_records_test');
  const tracker = await createPostgresTracker({ url: databaseUrl, trackerTable: table, clock, poolSize: 4 });
  return { tracker, cleanup: () => dropTables([table]) };
});

describe('PostgresTracker', () => {
  const entry = (key: string, attempts = 1) => ({ dedupKey: key, topic: 'orders', partition: 0, offset: 1n, attempts });

  it('works over a pool it does not own, from its very first query, and leaves the pool open', async () => {
    const table = uniqueName('orchestron_records_test');
    await migrate({ url: databaseUrl, trackerTable: table }, { targets: ['tracker'] });
    const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    try {
      const tracker = new PostgresTracker(sql, { url: databaseUrl, trackerTable: table });
      await tracker.received([{ ...entry('p'), payload: new Uint8Array([1, 2, 3]) }, entry('q')]);
      await tracker.close();
      const [row] = await sql.unsafe<{ payload: Uint8Array }[]>(`SELECT payload FROM "${table}" WHERE dedup_key = 'p'`);
      expect([...(row?.payload ?? [])]).toEqual([1, 2, 3]);
    } finally {
      await sql.end();
      await dropTables([table]);
    }
  });

  it('merges repeated keys within one call and logs swallowed duplicates at debug', async () => {
    const table = uniqueName('orchestron_records_test');
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const debug = (fields: Record<string, unknown>, message: string) => lines.push({ fields, message });
    const logger = { debug, info: () => {}, warn: () => {}, error: () => {} };
    const tracker = await createPostgresTracker({ url: databaseUrl, trackerTable: table, logger });
    try {
      await tracker.received([entry('a'), entry('a'), entry('b')]);
      expect(lines.at(-1)?.fields).toMatchObject({ duplicates: 1 });
      const failure = { category: 'PROCESSING_ERROR' as const, errorMessage: 'first' };
      await tracker.failed([
        { ...entry('a', 3), ...failure },
        { ...entry('a', 2), ...failure, errorMessage: 'second', payload: new Uint8Array([9]) },
      ]);
      await tracker.succeeded([entry('b', 1), entry('b', 4)]);
      const [a, b] = await tracker.get(['a', 'b']);
      expect(a).toMatchObject({ status: 'FAILED', attempts: 3, errorMessage: 'second', payload: new Uint8Array([9]) });
      expect(b).toMatchObject({ status: 'SUCCESS', attempts: 4 });
    } finally {
      await tracker.close();
      await dropTables([table]);
    }
  });

  it('keeps per-record topics, partitions, attempts and failure texts apart within one batch', async () => {
    const table = uniqueName('orchestron_records_test');
    const tracker = await createPostgresTracker({ url: databaseUrl, trackerTable: table });
    try {
      const texts = ['plain', 'a,b', '{x}', 'say "hi"', 'C:\\dir\\', 'NULL', ''];
      const batch = texts.map((text, i) => ({ dedupKey: `k${i}`, topic: `t-${text}`, partition: i, offset: BigInt(i) * 2n ** 40n, attempts: i + 1 }));
      const category = (i: number) => (i % 2 ? 'VALIDATION_ERROR' : 'PROCESSING_ERROR') as 'VALIDATION_ERROR' | 'PROCESSING_ERROR';
      await tracker.received(batch);
      await tracker.failed(batch.map((entry, i) => ({ ...entry, category: category(i), errorMessage: texts[i] as string })));
      expect(await tracker.get(batch.map((e) => e.dedupKey))).toEqual(
        batch.map((entry, i) => expect.objectContaining({ ...entry, status: 'FAILED', category: category(i), errorMessage: texts[i] })),
      );
    } finally {
      await tracker.close();
      await dropTables([table]);
    }
  });

  it('lets instances write overlapping batches at once without deadlocks', async () => {
    const table = uniqueName('orchestron_records_test');
    const options = { url: databaseUrl, trackerTable: table, poolSize: 4 };
    const [one, two] = await Promise.all([createPostgresTracker(options), createPostgresTracker(options)]);
    try {
      const keys = Array.from({ length: 300 }, (_, i) => entry(`k${i}`));
      const reversed = [...keys].reverse();
      const failures = (list: typeof keys) => list.map((e) => ({ ...e, category: 'PROCESSING_ERROR' as const, errorMessage: 'x' }));
      for (let round = 0; round < 5; round++) {
        await Promise.all([
          one.received(keys),
          two.received(reversed),
          one.failed(failures(keys)),
          two.failed(failures(reversed)),
          one.succeeded(reversed),
          two.succeeded(keys),
        ]);
      }
      await one.succeeded(keys);
      expect(await two.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 300, FAILED: 0 });
    } finally {
      await Promise.all([one.close(), two.close()]);
      await dropTables([table]);
    }
  });
});
