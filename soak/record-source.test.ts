import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesOf, openRecords } from './record-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'soak-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('the records a soak sends', () => {
  it('reads JSON lines as records or as bare values, and repeats them to reach N', async () => {
    const file = write('orders.jsonl', '{"key":"a","value":{"n":1},"headers":{"h":"1"}}\n\n{"n":2}\n');
    const source = await openRecords({ kind: 'file', file }, 5, 2);
    expect(await source.take(0, 3)).toEqual([{ key: 'a', value: { n: 1 }, headers: { h: '1' } }, { value: { n: 2 } }, { key: 'a', value: { n: 1 }, headers: { h: '1' } }]);
  });

  it('names the line that is not JSON', async () => {
    const file = write('bad.jsonl', '{"n":1}\n{oops\n');
    await expect(openRecords({ kind: 'file', file }, 2, 1)).rejects.toThrow(/--from-file: .*bad\.jsonl line 2 is not JSON/);
  });

  it('takes records from an index function or a generator function, and says when a generator runs short', async () => {
    const byIndex = write('by-index.ts', 'export default (index: number) => ({ key: `k${index}`, value: { index } });\n');
    expect(await (await openRecords({ kind: 'module', file: byIndex }, 3, 1)).take(1, 3)).toEqual([
      { key: 'k1', value: { index: 1 } },
      { key: 'k2', value: { index: 2 } },
    ]);
    const generator = write('generator.ts', 'export function* records() { yield { value: "a" }; yield { value: "b" }; }\n');
    const source = await openRecords({ kind: 'module', file: generator }, 3, 1);
    expect(await source.take(0, 2)).toEqual([{ value: 'a' }, { value: 'b' }]);
    await expect(source.take(2, 3)).rejects.toThrow(/--records: the generator of .* ended after 2 records; --messages asks for 3/);
    await expect(openRecords({ kind: 'module', file: write('none.ts', 'export const x = 1;\n') }, 1, 1)).rejects.toThrow(/--records: .* must export a function/);
  });

  it('sends strings as UTF-8, bytes as they are and anything else as JSON', () => {
    expect(bytesOf('é')?.toString()).toBe('é');
    expect(bytesOf(new Uint8Array([1, 2]))).toEqual(Buffer.from([1, 2]));
    expect(bytesOf({ a: 1 })?.toString()).toBe('{"a":1}');
    expect(bytesOf(null)).toBeUndefined();
  });
});
