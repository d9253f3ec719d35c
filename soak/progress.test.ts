import { describe, expect, it } from 'vitest';
import { progressLine } from './progress.ts';

describe('progress line', () => {
  it('shows produced, consumed, lag and the output rate since the previous line', () => {
    expect(progressLine('pipeline', { produced: 120_000, consumed: 100_000 }, { produced: 90_000, consumed: 75_000 }, 0.5, 12.4)).toBe(
      '[pipeline 12s] produced 120,000  consumed 100,000  lag 20,000  rate 50,000/s',
    );
  });
});
