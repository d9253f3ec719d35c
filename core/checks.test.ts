import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkIntegerInRange, kindOf, shownValue } from './checks.ts';
import { ConfigError } from './errors.ts';

describe('checkIntegerInRange', () => {
  it('returns whole numbers within the range, both ends included', () => {
    expect(checkIntegerInRange('size', 1, 1, 10)).toBe(1);
    expect(checkIntegerInRange('size', 10, 1, 10)).toBe(10);
    expect(checkIntegerInRange('delay', 0, 0, 5)).toBe(0);
  });

  it('refuses anything else with a ConfigError naming the field and the range', () => {
    const bad: [unknown, string][] = [
      [0, 'got 0'],
      [11, 'got 11'],
      [2.5, 'got 2.5'],
      [Number.NaN, 'got NaN'],
      [Number.POSITIVE_INFINITY, 'got Infinity'],
      ['5', 'got "5"'],
      [5n, 'got 5'],
      [undefined, 'got undefined'],
      [null, 'got null'],
    ];
    for (const [value, shown] of bad) {
      expect(() => checkIntegerInRange('pool.size', value, 1, 10)).toThrow(ConfigError);
      expect(() => checkIntegerInRange('pool.size', value, 1, 10)).toThrow(`pool.size: must be a whole number from 1 to 10; ${shown}`);
    }
  });
});

describe('shownValue', () => {
  it('shows any value at all without throwing, clipped to a readable length', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withNullPrototype: true, withDate: true, withMap: true, withTypedArray: true, withSparseArray: true }), (value) => {
        const shown = shownValue(value);
        expect(typeof shown).toBe('string');
        expect(shown.length).toBeLessThanOrEqual(203);
      }),
    );
  });

  it('quotes strings, marks BigInts, and names what JSON cannot show', () => {
    expect(shownValue('sometimes')).toBe('"sometimes"');
    expect(shownValue(5n)).toBe('5n');
    expect(shownValue({ a: [1n] })).toBe('an object');
    expect(shownValue(Object.create(null))).toBe('{}');
    expect(shownValue(Symbol('x'))).toBe('a symbol');
    expect(kindOf([1])).toBe('an array');
  });
});
