import { describe, expect, it } from 'vitest';
import { ManualClock, MemoryTracker } from '../../core/index.ts';
import { healthApp } from '../http/app.ts';
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

const transport = { assignedPartitions: () => 1, partitionProblems: () => ({ blocked: [], stalled: [] }) } as unknown as Transport;

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

  it('names each blocked or stalled source partition, with its reason, and is not ready meanwhile', async () => {
    const clock = new ManualClock();
    const problems: ReturnType<Transport['partitionProblems']> = {
      blocked: [{ topic: 'orders', partition: 0, reason: 'MESSAGE_TOO_LARGE', detail: 'produce 1 records: too large', since: clock.monotonic() }],
      stalled: [{ topic: 'orders', partition: 2, progressAt: clock.monotonic() - 61_000, lastStage: 'transform' }],
    };
    const troubled = { assignedPartitions: () => 3, partitionProblems: () => problems } as unknown as Transport;
    const ready = readinessOf({ transport: troubled, stores: { breakers: [], close: async () => {} }, running: () => true, clock });
    const report = await ready();
    expect(report.ready).toBe(false);
    expect(report.checks['partition:orders/0']).toBe('blocked: MESSAGE_TOO_LARGE: produce 1 records: too large');
    expect(report.checks['partition:orders/2']).toBe('stalled: no committed progress for 61 s with records waiting (last stage: transform)');
    expect(report.checks.assignment).toBe('ok');
  });

  it('with kafka.readyMaxLag, is not ready while a partition lags by more, naming it and its lag (503)', async () => {
    const clock = new ManualClock();
    const at = { lastStable: 0n, committed: 0n, measuredAt: clock.monotonic() };
    const lagging = {
      assignedPartitions: () => 2,
      partitionProblems: () => ({ blocked: [], stalled: [] }),
      consumerLag: () => [
        { topic: 'orders', partition: 0, lag: 1_000, ...at },
        { topic: 'orders', partition: 1, lag: 1_001, ...at },
      ],
    } as unknown as Transport;
    const stores: Stores = { breakers: [], close: async () => {} };
    const app = healthApp({ readiness: readinessOf({ transport: lagging, stores, running: () => true, clock, maxLag: 1_000 }), scrape: async () => ({ body: '', contentType: 'text/plain' }) });
    const response = await app.request('/health/ready');
    expect(response.status).toBe(503);
    const body = (await response.json()) as { checks: Record<string, string> };
    expect(body.checks['partition:orders/1']).toBe('lagging: 1001 offsets behind (more than kafka.readyMaxLag 1000)');
    expect(body.checks['partition:orders/0']).toBeUndefined();

    const unbounded = readinessOf({ transport: lagging, stores, running: () => true, clock });
    expect(await unbounded()).toMatchObject({ ready: true });
  });
});
