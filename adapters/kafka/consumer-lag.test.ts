import { describe, expect, it } from 'vitest';
import { ManualClock, MemoryMetrics, createMetrics } from '../../core/index.ts';
import { ConsumerLag } from './consumer-lag.ts';

function setup(intervalMs = 5_000) {
  const clock = new ManualClock();
  const recorded = new MemoryMetrics();
  const lag = new ConsumerLag({ clock, metrics: createMetrics(recorded) }, intervalMs);
  const series = (partition: number) => ({ topic: 'orders', partition: String(partition) });
  return { clock, recorded, lag, series };
}

const p = (partition: number) => ({ topic: 'orders', partition });

describe('consumer lag', () => {
  it('is the last stable offset minus the committed offset, per partition and in total; never below 0', () => {
    const { lag, recorded, series } = setup();
    lag.assigned([p(0), p(1), p(2)]);
    lag.measuring();
    lag.measured([
      { ...p(0), lastStable: 120n, committed: 100n },
      { ...p(1), lastStable: 50n, committed: 50n },
      { ...p(2), lastStable: 7n, committed: 9n },
    ]);
    expect(recorded.value('orchestron_consumer_lag', series(0))).toBe(20);
    expect(recorded.value('orchestron_consumer_lag', series(1))).toBe(0);
    expect(recorded.value('orchestron_consumer_lag', series(2))).toBe(0);
    expect(recorded.value('orchestron_consumer_total_lag')).toBe(20);
    expect(lag.list().map(({ partition, lag: behind, lastStable, committed }) => ({ partition, behind, lastStable, committed }))).toEqual([
      { partition: 0, behind: 20, lastStable: 120n, committed: 100n },
      { partition: 1, behind: 0, lastStable: 50n, committed: 50n },
      { partition: 2, behind: 0, lastStable: 7n, committed: 9n },
    ]);
  });

  it('has no series for a partition the group never committed, until it does', () => {
    const { lag, recorded, series } = setup();
    lag.assigned([p(0)]);
    lag.measured([{ ...p(0), lastStable: 30n, committed: -1n }]);
    expect(recorded.has('orchestron_consumer_lag', series(0))).toBe(false);
    lag.measured([{ ...p(0), lastStable: 30n, committed: 10n }]);
    expect(recorded.value('orchestron_consumer_lag', series(0))).toBe(20);
  });

  it('drops the series of a partition that moved away at once, and ignores an answer about it that comes later', () => {
    const { lag, recorded, series } = setup();
    lag.assigned([p(0), p(1)]);
    lag.measured([
      { ...p(0), lastStable: 10n, committed: 4n },
      { ...p(1), lastStable: 10n, committed: 7n },
    ]);
    expect(recorded.value('orchestron_consumer_total_lag')).toBe(9);

    lag.assigned([p(1)]);
    expect(recorded.has('orchestron_consumer_lag', series(0))).toBe(false);
    expect(recorded.value('orchestron_consumer_lag', series(1))).toBe(3);
    expect(recorded.value('orchestron_consumer_total_lag')).toBe(3);

    lag.measured([{ ...p(0), lastStable: 12n, committed: 4n }]);
    expect(recorded.has('orchestron_consumer_lag', series(0))).toBe(false);
    expect(lag.list().map((l) => l.partition)).toEqual([1]);

    lag.assigned([]);
    expect(recorded.has('orchestron_consumer_lag', series(1))).toBe(false);
    expect(recorded.value('orchestron_consumer_total_lag')).toBe(0);
    expect(lag.list()).toEqual([]);
  });

  it('is due every interval, and at once after the assignment changed', async () => {
    const { lag, clock } = setup(5_000);
    expect(lag.due()).toBe(false);
    lag.assigned([p(0)]);
    expect(lag.due()).toBe(true);
    expect(lag.measuring()).toEqual([p(0)]);
    expect(lag.due()).toBe(false);
    await clock.advance(4_999);
    expect(lag.due()).toBe(false);
    await clock.advance(1);
    expect(lag.due()).toBe(true);
    lag.measuring();
    lag.assigned([p(0), p(1)]);
    expect(lag.due()).toBe(true);
    expect(lag.measuring()).toEqual([p(0), p(1)]);
    lag.assigned([p(0), p(1)]);
    expect(lag.due()).toBe(false);
  });

  it('measures nothing with an interval of 0', () => {
    const { lag } = setup(0);
    lag.assigned([p(0)]);
    expect(lag.due()).toBe(false);
  });
});
