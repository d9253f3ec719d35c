import { describe, expect, it } from 'vitest';
import { runInLanes } from './lanes.ts';

/** A promise the test resolves. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

describe('runInLanes', () => {
  it('lets other lanes run while lanes wait aside, and runs a lane back from aside before lanes not started', async () => {
    const items = ['a1', 'b1', 'c1', 'a2', 'd1', 'e1'];
    const waits = new Map([['a1', gate()], ['b1', gate()]]);
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    const done = runInLanes(items, (item) => item[0] as string, 2, async (item, _index, place) => {
      started.push(item);
      peak = Math.max(peak, ++running);
      await Promise.resolve();
      running--;
      const wait = waits.get(item);
      if (wait) await place.aside(() => wait.opened);
    });
    await turns();
    // a and b wait aside: c, d and e ran meanwhile; a2 waits for a1.
    expect(started).toEqual(['a1', 'b1', 'c1', 'd1', 'e1']);
    waits.get('a1')?.open();
    waits.get('b1')?.open();
    await done;
    expect(started).toEqual(['a1', 'b1', 'c1', 'd1', 'e1', 'a2']);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('ends a lane whose work returns false: its later items do not run, other lanes go on', async () => {
    const started: string[] = [];
    await runInLanes(['a1', 'b1', 'a2', 'b2'], (item) => item[0] as string, 1, async (item) => {
      started.push(item);
      return item !== 'a1';
    });
    expect(started).toEqual(['a1', 'b1', 'b2']);
  });

  it('rejects with the error work threw, once the running lanes stopped', async () => {
    const started: string[] = [];
    const outcome = runInLanes(['a1', 'b1', 'a2', 'c1'], (item) => item[0] as string, 2, async (item) => {
      started.push(item);
      await Promise.resolve();
      if (item === 'a1') throw new Error('broken');
    });
    await expect(outcome).rejects.toThrow('broken');
    expect(started).toEqual(['a1', 'b1']);
  });
});
