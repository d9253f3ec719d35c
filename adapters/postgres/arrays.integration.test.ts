import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { integerArray, textArray } from './arrays.ts';
import { databaseUrl } from './testing.ts';

const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
afterAll(() => sql.end());

describe('array literals on the server', () => {
  it('come back as the same values, however awkward', async () => {
    const texts = ['', 'NULL', 'null', 'a,b', '{x}', '}', '"', '\\', '\\"', ' padded ', 'tab\there', 'new\nline', 'ключ ☃ 𝄞', `'; DROP TABLE x; --`, 'z'.repeat(3_000)];
    const [row] = await sql.unsafe<{ v: string[] }[]>('SELECT $1::text[] AS v', [textArray(texts)]);
    expect(row?.v).toEqual(texts);
  });

  it('keep every digit of int8 and the range of int4', async () => {
    const offsets = [0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)];
    const [row] = await sql.unsafe<{ o: string[]; p: number[] }[]>('SELECT $1::int8[]::text[] AS o, $2::int4[] AS p', [
      integerArray(offsets),
      integerArray([0, 7, -2_147_483_648, 2_147_483_647]),
    ]);
    expect(row?.o.map(BigInt)).toEqual(offsets);
    expect(row?.p).toEqual([0, 7, -2_147_483_648, 2_147_483_647]);
  });
});
