import { describe, expect, it } from 'vitest';
import { ManualClock, RetryTopicHeaders } from '../../core/index.ts';
import { DueGate, releaseGraceMs } from './due-gate.ts';
import type { KafkaMessage } from './records.ts';
import { floorKey } from './stable-offsets.ts';

const message = (partition: number, offset: number, dueAt?: number) =>
  ({
    topic: 'orders-retry-1000',
    partition,
    offset: BigInt(offset),
    headers: new Map(dueAt === undefined ? [] : [[RetryTopicHeaders.backoffTimestamp, Buffer.from(String(dueAt))]]),
  }) as unknown as KafkaMessage;

const offsets = (messages: readonly KafkaMessage[]) => messages.map((m) => `${m.partition}:${m.offset}`);

describe('DueGate', () => {
  it('hands out records that are due, holds a partition from its first record not yet due, and releases it once due', async () => {
    const clock = new ManualClock();
    const start = clock.now();
    const gate = new DueGate(clock);
    const fetched = [message(0, 0, start - 1), message(0, 1, start + 500), message(0, 2, start - 1), message(1, 0, start), message(1, 1), message(2, 7, start + 2_000)];
    expect(offsets(gate.admitted(fetched))).toEqual(['0:0', '1:0', '1:1']);
    expect(gate.holds('orders-retry-1000', 0)).toBe(true);
    expect(gate.holds('orders-retry-1000', 1)).toBe(false);
    // Read again before the due time (another partition's rewind): still held, records not handed out.
    expect(offsets(gate.admitted([message(0, 1, start + 500), message(1, 2)]))).toEqual(['1:2']);
    expect(gate.release()).toBe(false);

    await clock.advance(500);
    expect(gate.release()).toBe(true);
    expect(gate.list().map((hold) => hold.partition)).toEqual([2]);
    expect(offsets(gate.admitted([message(0, 1, start + 500), message(0, 2, start - 1)]))).toEqual(['0:1', '0:2']);
  });

  it('waits for the batches in flight before reading a due partition again, up to the grace time', async () => {
    const clock = new ManualClock();
    const gate = new DueGate(clock);
    gate.admitted([message(0, 0, clock.now() + 100)]);
    await clock.advance(100);
    expect(gate.release(false)).toBe(false);
    await clock.advance(releaseGraceMs - 1);
    expect(gate.release(false)).toBe(false);
    await clock.advance(1);
    expect(gate.release(false)).toBe(true);
    gate.admitted([message(1, 0, clock.now() + 100)]);
    await clock.advance(100);
    expect(gate.release(true)).toBe(true);
  });

  it('forgets partitions revoked from this instance', () => {
    const clock = new ManualClock();
    const gate = new DueGate(clock);
    gate.admitted([message(0, 0, clock.now() + 1_000), message(1, 0, clock.now() + 1_000)]);
    gate.retain(new Set([floorKey('orders-retry-1000', 1)]));
    expect(gate.list().map((hold) => hold.partition)).toEqual([1]);
  });
});
