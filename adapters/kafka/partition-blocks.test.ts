import { describe, expect, it } from 'vitest';
import { ManualClock, MemoryMetrics, createMetrics } from '../../core/index.ts';
import type { LogFields, Logger } from '../../core/index.ts';
import { PartitionBlocks } from './partition-blocks.ts';
import { floorKey } from './stable-offsets.ts';

function setup() {
  const clock = new ManualClock();
  const recorded = new MemoryMetrics();
  const lines: { level: string; message: string; fields: LogFields }[] = [];
  const log = (level: string) => (fields: LogFields, message: string) => void lines.push({ level, message, fields });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const blocks = new PartitionBlocks({ clock, logger, metrics: createMetrics(recorded) }, { retryMs: 30_000, reminderMs: 60_000 });
  const errors = () => lines.filter((line) => line.level === 'error');
  const blocked = (partition: number, reason = 'MESSAGE_TOO_LARGE') =>
    recorded.value('orchestron_partition_blocked', { topic: 'orders', partition: String(partition), reason });
  return { clock, blocks, lines, errors, blocked };
}

const p0 = [{ topic: 'orders', partition: 0 }];

describe('PartitionBlocks', () => {
  it('holds a blocked partition, logs it once, tries it again after the wait and releases it on a commit', async () => {
    const { clock, blocks, lines, errors, blocked } = setup();
    blocks.block(p0, 'MESSAGE_TOO_LARGE', 'produce 1 records: too large (MESSAGE_TOO_LARGE)');
    expect(blocks.holds('orders', 0)).toBe(true);
    expect(blocks.holds('orders', 1)).toBe(false);
    expect(blocked(0)).toBe(1);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]?.fields).toMatchObject({ topic: 'orders', partition: 0, reason: 'MESSAGE_TOO_LARGE' });
    expect(blocks.list()).toEqual([expect.objectContaining({ topic: 'orders', partition: 0, reason: 'MESSAGE_TOO_LARGE' })]);

    await clock.advance(29_999);
    expect(blocks.due()).toEqual([]);
    await clock.advance(1);
    expect(blocks.due()).toEqual(p0);
    // On trial: its records flow again, but it still counts as blocked until a commit of its records.
    expect(blocks.holds('orders', 0)).toBe(false);
    expect(blocks.list()).toHaveLength(1);
    expect(blocks.due()).toEqual([]);

    blocks.committed('orders', 0);
    expect(blocks.list()).toEqual([]);
    expect(blocked(0)).toBe(0);
    expect(lines.at(-1)).toMatchObject({ level: 'warn', fields: { topic: 'orders', partition: 0 } });
    expect(lines.at(-1)?.message).toContain('resumed');
  });

  it('a failed trial blocks again without a new error line; a reminder comes once a minute, not once per try', async () => {
    const { clock, blocks, errors } = setup();
    blocks.block(p0, 'MESSAGE_TOO_LARGE', 'too large');
    for (let tries = 0; tries < 4; tries++) {
      await clock.advance(30_000);
      expect(blocks.due()).toEqual(p0);
      blocks.block(p0, 'MESSAGE_TOO_LARGE', 'too large');
      expect(blocks.holds('orders', 0)).toBe(true);
      blocks.remind();
    }
    // Two minutes and four tries: the first line and two reminders.
    expect(errors()).toHaveLength(3);
    expect(errors()[1]?.message).toContain('still blocked');
  });

  it('moves the metric to the new reason when the refusal changes', () => {
    const { blocks, blocked } = setup();
    blocks.block(p0, 'MESSAGE_TOO_LARGE', 'too large');
    blocks.block(p0, 'TOPIC_AUTHORIZATION_FAILED', 'not allowed');
    expect(blocked(0, 'MESSAGE_TOO_LARGE')).toBe(0);
    expect(blocked(0, 'TOPIC_AUTHORIZATION_FAILED')).toBe(1);
    expect(blocks.list()[0]).toMatchObject({ reason: 'TOPIC_AUTHORIZATION_FAILED', detail: 'not allowed' });
  });

  it('forgets partitions revoked from this instance', () => {
    const { blocks, blocked } = setup();
    blocks.block([...p0, { topic: 'orders', partition: 1 }], 'MESSAGE_TOO_LARGE', 'too large');
    blocks.retain(new Set([floorKey('orders', 1)]));
    expect(blocks.list().map((b) => b.partition)).toEqual([1]);
    expect(blocked(0)).toBe(0);
    expect(blocked(1)).toBe(1);
  });
});
