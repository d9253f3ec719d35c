import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRanges, toRanges } from './selection-ranges.ts';

describe('selection ranges', () => {
  it('writes runs of consecutive offsets per partition', () => {
    expect(toRanges(['0-1', '0-2', '0-3', '0-7', '2-5', '0-8'])).toEqual({ '0': [['1', '3'], ['7', '8']], '2': [['5', '5']] });
  });

  it('reads back exactly the ids it wrote, whatever their order', () => {
    const id = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.bigInt({ min: 0n, max: 200n })).map(([p, o]) => `${p}-${o}`);
    fc.assert(
      fc.property(fc.array(id, { maxLength: 60 }), (ids) => {
        expect(new Set(fromRanges(JSON.parse(JSON.stringify(toRanges(ids)))))).toEqual(new Set(ids));
      }),
    );
  });

  it('leaves out what is not a range it could have written', () => {
    expect(fromRanges({ '0': [['5', '3'], ['1', 'x'], ['0', '99999999999']], x: [['1', '2']], '1': 'nope' })).toEqual([]);
    expect(fromRanges(null)).toEqual([]);
  });
});
