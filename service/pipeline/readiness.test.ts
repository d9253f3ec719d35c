import { describe, expect, it } from 'vitest';
import { ManualClock, MemoryTracker } from '../../core/index.ts';
import { readinessOf } from './readiness.ts';
import type { Stores } from './stores.ts';
import type { Transport } from './transport.ts';

class CountingTracker extends MemoryTracker {
  pings = 0;
  down = false;
  async ping(): Promise<void> {
    this.pings++;
    if (this.down) throw new Error('connection refused');
  }
}

const transport = { assignedPartitions: () => 1 } as unknown as Transport;

describe('readiness', () => {
  it('pings each store once for probes arriving together, reuses the answer for a second, then asks again', async () => {
    const tracker = new CountingTracker();
    const stores: Stores = { tracker, breakers: [], close: async () => {} };
    const clock = new ManualClock();
    const ready = readinessOf({ transport, stores, running: () => true, clock });
    const reports = await Promise.all([ready(), ready(), ready(), ready()]);
    expect(reports.every((report) => report.ready)).toBe(true);
    expect(tracker.pings).toBe(1);

    tracker.down = true;
    expect((await ready()).ready).toBe(true);
    await clock.advance(999);
    expect((await ready()).ready).toBe(true);
    await clock.advance(1);
    const report = await ready();
    expect(tracker.pings).toBe(2);
    expect(report).toMatchObject({ ready: false, checks: { tracker: 'unreachable: connection refused', pipeline: 'ok', assignment: 'ok' } });
  });
});
