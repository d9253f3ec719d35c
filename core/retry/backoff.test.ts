import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, defaultRetry, retryOptions } from './backoff.ts';

describe('backoff', () => {
  it('doubles from 1 s to a 30 s cap by default', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCeiling(defaultRetry, n));
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(defaultRetry.attempts).toBe(3);
  });

  it('draws full jitter below the ceiling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (retry, r) => {
        const delay = backoffDelay(defaultRetry, retry, () => r);
        const ceiling = backoffCeiling(defaultRetry, retry);
        return delay >= 0 && delay < ceiling && delay <= 30_000;
      }),
    );
  });

  it('draws equal jitter in the upper half below the ceiling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (retry, r) => {
        const options = retryOptions({ jitter: 'equal' });
        const delay = backoffDelay(options, retry, () => r);
        const ceiling = backoffCeiling(options, retry);
        return delay >= Math.floor(ceiling / 2) && delay < ceiling;
      }),
    );
  });

  it('waits the ceiling itself without jitter', () => {
    const options = retryOptions({ jitter: 'none', initialDelayMs: 100, maxDelayMs: 250 });
    expect([1, 2, 3].map((n) => backoffDelay(options, n, () => 0))).toEqual([100, 200, 250]);
  });
});
