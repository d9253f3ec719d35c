import { describe, expect, it } from 'vitest';
import { closeWithin } from './close-within.ts';

const never = () => new Promise<void>(() => {});
const soon = (ms: number) => () => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('closeWithin', () => {
  it('returns once the graceful close is done, without forcing', async () => {
    let forced = false;
    const outcome = await closeWithin(soon(5), async () => void (forced = true), 1_000, 1_000);
    expect(outcome).toBe('closed');
    expect(forced).toBe(false);
  });

  it('forces the close once the deadline has passed', async () => {
    const started = Date.now();
    expect(await closeWithin(never, soon(5), 50, 1_000)).toBe('forced');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('settles by the deadline plus the grace even when neither close ever finishes', async () => {
    const started = Date.now();
    expect(await closeWithin(never, never, 50, 50)).toBe('abandoned');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(900);
  });

  it('counts a forced close that fails as forced: the clients are given up either way', async () => {
    expect(await closeWithin(never, () => Promise.reject(new Error('socket gone')), 20, 1_000)).toBe('forced');
  });

  it('leaves a graceful close that fails after the deadline behind, unreported', async () => {
    const late = () => new Promise<void>((_, reject) => setTimeout(() => reject(new Error('too late')), 40));
    expect(await closeWithin(late, soon(100), 10, 1_000)).toBe('forced');
  });

  it('rejects when the graceful close fails before the deadline', async () => {
    await expect(closeWithin(() => Promise.reject(new Error('refused')), never, 1_000, 50)).rejects.toThrow('refused');
  });
});
