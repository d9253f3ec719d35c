import { describe, expect, it } from 'vitest';
import { dueBy } from './producer.ts';

describe('open-loop schedule', () => {
  it('makes record i due at i / rate seconds, the first at once', () => {
    expect(dueBy(0, 1_000, 10_000)).toBe(1);
    expect(dueBy(0.999, 1_000, 10_000)).toBe(1);
    expect(dueBy(1, 1_000, 10_000)).toBe(2);
    expect(dueBy(1_000, 1_000, 10_000)).toBe(1_001);
    expect(dueBy(250, 200, 10_000)).toBe(51);
  });

  it('never makes more due than the run has', () => {
    expect(dueBy(60_000, 1_000, 5_000)).toBe(5_000);
  });
});
