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

  it('cuts what goes out together into calls made one after another, in order', async () => {
    const calls: string[][] = [];
    let inFlight = 0;
    const sends = new CoalescedSends<string>(
      async (messages) => {
        inFlight++;
        expect(inFlight).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 1));
        calls.push(messages);
        inFlight--;
      },
      (messages) => [messages.slice(0, 2), messages.slice(2)].filter((m) => m.length > 0),
    );
    await Promise.all([sends.send(['a', 'b']), sends.send(['c', 'd', 'e'])]);
    expect(calls).toEqual([['a', 'b'], ['c', 'd', 'e']]);
  });
});
