import { describe, expect, it } from 'vitest';
import { steadyRate } from './commit-watcher.ts';

describe('steady commit rate', () => {
  it('is the rate between the samples that first reach 10 % and 90 % of the total', () => {
    const samples = [
      { t: 0, committed: 0 },
      { t: 1_000, committed: 0 },
      { t: 1_100, committed: 1_000 },
      { t: 1_200, committed: 1_500 },
      { t: 2_200, committed: 9_500 },
      { t: 2_300, committed: 10_000 },
    ];
    expect(steadyRate(samples, 10_000)).toBe(7_727);
    expect(steadyRate(samples, 10_000, 0, 1)).toBe(4_348);
  });

  it('is undefined until both ends were sampled, or when they fell in one sample', () => {
    expect(steadyRate([{ t: 0, committed: 5_000 }], 10_000)).toBeUndefined();
    expect(steadyRate([{ t: 0, committed: 0 }, { t: 100, committed: 10_000 }], 10_000)).toBeUndefined();
  });
});
