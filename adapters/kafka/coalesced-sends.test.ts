import { describe, expect, it } from 'vitest';
import { CoalescedSends } from './coalesced-sends.ts';

describe('CoalescedSends', () => {
  it('sends made in one turn go out as one call, in order; later ones in another', async () => {
    const calls: string[][] = [];
    const sends = new CoalescedSends<string>(async (messages) => {
      calls.push(messages);
    });
    await Promise.all([sends.send(['a', 'b']), sends.send(['c'])]);
    await sends.send(['d']);
    expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it("gives every caller of a failed call the call's error", async () => {
    const sends = new CoalescedSends<string>(async () => {
      throw new Error('broker gone');
    });
    const results = await Promise.allSettled([sends.send(['a']), sends.send(['b'])]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['broker gone', 'broker gone']);
  });

  it('a send function that throws synchronously fails its callers instead of escaping', async () => {
    const sends = new CoalescedSends<string>(() => {
      throw new Error('closed');
    });
    await expect(sends.send(['a'])).rejects.toThrow('closed');
  });
});
