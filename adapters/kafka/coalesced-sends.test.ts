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

  it('gives every caller the error of a call that fails for all', async () => {
    let calls = 0;
    const sends = new CoalescedSends<string>(async () => {
      calls++;
      throw new Error('broker gone');
    });
    const results = await Promise.allSettled([sends.send(['a']), sends.send(['b'])]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['broker gone', 'broker gone']);
    expect(calls).toBe(3);
  });

  it("a shared call failing for one caller's records is sent again per caller: the other caller succeeds", async () => {
    const calls: string[][] = [];
    const sends = new CoalescedSends<string>(async (messages) => {
      calls.push(messages);
      if (messages.includes('too-large')) throw new Error('record too large');
    });
    const results = await Promise.allSettled([sends.send(['a', 'b']), sends.send(['too-large'])]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['ok', 'record too large']);
    expect(calls).toEqual([['a', 'b', 'too-large'], ['a', 'b'], ['too-large']]);
  });

  it('a send function that throws synchronously fails its callers instead of escaping', async () => {
    const sends = new CoalescedSends<string>(() => {
      throw new Error('closed');
    });
    await expect(sends.send(['a'])).rejects.toThrow('closed');
  });
});
