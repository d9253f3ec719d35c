import { describe, expect, it } from 'vitest';
import { cachedBy } from './bounded-cache.ts';

describe('cachedBy', () => {
  it('makes each key once, and starts over once the limit is reached', () => {
    const made: string[] = [];
    const upper = cachedBy((key) => (made.push(key), key.toUpperCase()), 2);
    expect([upper('a'), upper('b'), upper('a')]).toEqual(['A', 'B', 'A']);
    expect(made).toEqual(['a', 'b']);
    expect(upper('c')).toBe('C');
    expect(upper('a')).toBe('A');
    expect(made).toEqual(['a', 'b', 'c', 'a']);
  });
});
