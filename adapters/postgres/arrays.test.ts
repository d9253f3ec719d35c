import { describe, expect, it } from 'vitest';
import { integerArray, textArray } from './arrays.ts';

describe('array literals', () => {
  it('quotes every text element and escapes only quotes and backslashes', () => {
    expect(textArray([])).toBe('{}');
    expect(textArray(['a', ''])).toBe('{"a",""}');
    expect(textArray(['NULL', 'a,b', '{x}', ' padded '])).toBe('{"NULL","a,b","{x}"," padded "}');
    expect(textArray(['say "hi"', 'C:\\dir\\', '\\"'])).toBe('{"say \\"hi\\"","C:\\\\dir\\\\","\\\\\\""}');
    expect(textArray(['ключ ☃', 'new\nline'])).toBe('{"ключ ☃","new\nline"}');
  });

  it('joins integers, bigints with every digit', () => {
    expect(integerArray([])).toBe('{}');
    expect(integerArray([0, -1, 2_147_483_647])).toBe('{0,-1,2147483647}');
    expect(integerArray([2n ** 63n - 1n, -(2n ** 63n)])).toBe('{9223372036854775807,-9223372036854775808}');
  });
});
