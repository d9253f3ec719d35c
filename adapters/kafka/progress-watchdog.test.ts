import { describe, expect, it } from 'vitest';
import { ManualClock, MemoryMetrics, createMetrics } from '../../core/index.ts';
import type { LogFields, Logger } from '../../core/index.ts';
import { ProgressWatchdog } from './progress-watchdog.ts';

function setup(stallTimeoutMs = 60_000) {
  const clock = new ManualClock();
  const recorded = new MemoryMetrics();
  const lines: { level: string; message: string; fields: LogFields }[] = [];
  const log = (level: string) => (fields: LogFields, message: string) => void lines.push({ level, message, fields });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const watchdog = new ProgressWatchdog({ clock, logger, metrics: createMetrics(recorded) }, stallTimeoutMs);
  const stalled = (partition: number) => recorded.value('orchestron_partition_stalled', { topic: 'orders', partition: String(partition) });
  const errors = () => lines.filter((line) => line.level === 'error');
  return { clock, watchdog, lines, errors, stalled };
}

const p0 = { topic: 'orders', partition: 0 };
const p1 = { topic: 'orders', partition: 1 };

describe('ProgressWatchdog', () => {
  it('flags a partition with records read and nothing committed for the timeout, names the stage, and clears it on a commit', async () => {
    const { clock, watchdog, errors, stalled, lines } = setup();
    watchdog.assigned([p0, p1]);
    watchdog.committed('orders', 0, 10n);
    watchdog.fetched('orders', 0, 20n);
    await clock.advance(59_999);
    expect(watchdog.check('transform')).toEqual([]);
    await clock.advance(1);
    expect(watchdog.check('transform')).toEqual([p0]);
    expect(stalled(0)).toBe(1);
    expect(watchdog.list()).toEqual([expect.objectContaining({ ...p0, lastStage: 'transform' })]);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]?.fields).toMatchObject({ ...p0, lag: '10', lastStage: 'transform' });
    // Partition 1 has read nothing: no stall without records known to wait.
    expect(stalled(1)).toBe(0);

    // Still stalled: no new recovery until another timeout has passed, a reminder once a minute.
    await clock.advance(30_000);
    expect(watchdog.check('transform')).toEqual([]);
    await clock.advance(30_000);
    expect(watchdog.check('transform')).toEqual([p0]);
    expect(errors()).toHaveLength(2);

    watchdog.committed('orders', 0, 20n);
    expect(stalled(0)).toBe(0);
    expect(watchdog.list()).toEqual([]);
    expect(lines.at(-1)?.message).toContain('moving again');
  });

  it('a commit keeps the partition out of a stall; an excluded (blocked) partition is not reported', async () => {
    const { clock, watchdog } = setup();
    watchdog.assigned([p0]);
    watchdog.fetched('orders', 0, 5n);
    await clock.advance(40_000);
    watchdog.committed('orders', 0, 3n);
    await clock.advance(40_000);
    expect(watchdog.check('produce')).toEqual([]);
    await clock.advance(20_000);
    expect(watchdog.check('produce', () => true)).toEqual([]);
    expect(watchdog.check('produce')).toEqual([p0]);
  });

  it('asks about quiet partitions: one behind the broker stalls, one caught up starts its clock again', async () => {
    const { clock, watchdog, stalled } = setup();
    watchdog.assigned([p0, p1]);
    await clock.advance(60_000);
    expect(watchdog.quiet()).toEqual([p0, p1]);
    expect(watchdog.probed('orders', 0, 10n, 5n)).toBe(false);
    expect(watchdog.probed('orders', 1, 5n, 5n)).toBe(false);
    expect(watchdog.quiet()).toEqual([p0]);
    expect(watchdog.check('source')).toEqual([p0]);
    expect(stalled(0)).toBe(1);

    // The reopened consumer fetched to the end (transaction markers only): the stall ends without a commit.
    watchdog.probed('orders', 0, 10n, 10n);
    expect(stalled(0)).toBe(0);
    expect(watchdog.quiet()).toEqual([]);
  });

  it('reopens quietly once when the client fetched past the commit and handed nothing out; markers only: not again', async () => {
    const { clock, watchdog, stalled, lines } = setup();
    watchdog.assigned([p0]);
    watchdog.fetched('orders', 0, 5n);
    watchdog.committed('orders', 0, 5n);
    await clock.advance(60_000);
    expect(watchdog.quiet()).toEqual([p0]);
    // Position 7, commit 5, nothing read past it: a transaction marker, or records the client dropped.
    expect(watchdog.probed('orders', 0, 7n, 7n)).toBe(true);
    expect(watchdog.check('source')).toEqual([]);
    expect(watchdog.quiet()).toEqual([p0]);
    expect(watchdog.probed('orders', 0, 7n, 7n)).toBe(false);
    expect(watchdog.quiet()).toEqual([]);
    await clock.advance(60_000);
    expect(watchdog.probed('orders', 0, 7n, 7n)).toBe(false);
    expect(stalled(0)).toBe(0);
    expect(lines.filter((line) => line.level !== 'debug')).toEqual([]);
  });

  it('warns when records below the fetch position come only after the quiet reopen', async () => {
    const { clock, watchdog, lines } = setup();
    watchdog.assigned([p0]);
    watchdog.committed('orders', 0, 5n);
    await clock.advance(60_000);
    expect(watchdog.probed('orders', 0, 9n, 9n)).toBe(true);
    watchdog.fetched('orders', 0, 6n);
    expect(lines.at(-1)).toMatchObject({ level: 'warn', fields: { ...p0, committed: '5', fetchedUpTo: '9' } });
  });

  it('forgets revoked partitions and does nothing when turned off', async () => {
    const { clock, watchdog, stalled } = setup();
    watchdog.assigned([p0]);
    watchdog.fetched('orders', 0, 5n);
    await clock.advance(60_000);
    watchdog.check('decode');
    expect(stalled(0)).toBe(1);
    watchdog.assigned([p1]);
    expect(stalled(0)).toBe(0);
    expect(watchdog.list()).toEqual([]);

    const off = setup(0);
    off.watchdog.assigned([p0]);
    off.watchdog.fetched('orders', 0, 5n);
    await off.clock.advance(600_000);
    expect(off.watchdog.quiet()).toEqual([]);
    expect(off.watchdog.check('decode')).toEqual([]);
  });
});
