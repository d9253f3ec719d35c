import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../breaker.ts';
import { json } from '../codecs/json.ts';
import { positionKey } from '../envelope.ts';
import { ProcessingError, StoreError } from '../errors.ts';
import type { Batch } from '../batch.ts';
import { pipeline } from '../pipeline.ts';
import { collect, harness, record } from '../testing/fixtures.ts';
import { MemoryTracker } from '../tracker/memory-tracker.ts';
import type { FailureTracker, TrackerStrategy } from '../tracker/tracker.ts';
import { commit } from './commit.ts';
import { decode } from './decode.ts';
import { track } from './track.ts';

/** A tracker that records the calls it gets, then delegates to the memory tracker. */
class RecordingTracker extends MemoryTracker {
  readonly calls: string[] = [];
  override async received(entries: Parameters<FailureTracker['received']>[0]) {
    this.calls.push(`received:${entries.length}`);
    return super.received(entries);
  }
  override async succeeded(entries: Parameters<FailureTracker['succeeded']>[0]) {
    this.calls.push(`succeeded:${entries.length}`);
    return super.succeeded(entries);
  }
  override async failed(entries: Parameters<FailureTracker['failed']>[0]) {
    this.calls.push(`failed:${entries.length}`);
    return super.failed(entries);
  }
}

async function runWith(strategy: TrackerStrategy) {
  const { broker, source, clock } = harness('skip-and-log');
  broker.createTopic('in', 1);
  broker.append([record('in', 'a', { ok: 1 }), record('in', 'b', 'not json'), record('in', 'c', { ok: 2 })]);
  const tracker = new RecordingTracker({ clock });
  const tracking = track(tracker, { strategy, capturePayload: true });
  await collect(pipeline(source(['in']), tracking.received, decode(json()), tracking, commit()));
  return { tracker, counts: await tracker.countByStatus() };
}

describe('track', () => {
  it('OUTBOX pre-inserts the batch in one call, then updates in bulk', async () => {
    const { tracker, counts } = await runWith('OUTBOX');
    expect(tracker.calls).toEqual(['received:3', 'succeeded:2', 'failed:1']);
    expect(counts).toEqual({ RECEIVED: 0, SUCCESS: 2, FAILED: 1 });
    const [row] = await tracker.get([positionKey('in', 0, 1n)]);
    expect(row).toMatchObject({ status: 'FAILED', category: 'DESERIALIZATION_ERROR', attempts: 1 });
    expect(new TextDecoder().decode(row?.payload ?? new Uint8Array())).toBe('not json');
  });

  it('RELIABLE inserts per record', async () => {
    const { tracker, counts } = await runWith('RELIABLE');
    expect(tracker.calls).toEqual(['received:1', 'received:1', 'received:1', 'succeeded:2', 'failed:1']);
    expect(counts).toEqual({ RECEIVED: 0, SUCCESS: 2, FAILED: 1 });
  });

  it('LIGHTWEIGHT writes failures only', async () => {
    const { tracker, counts } = await runWith('LIGHTWEIGHT');
    expect(tracker.calls).toEqual(['failed:1']);
    expect(counts).toEqual({ RECEIVED: 0, SUCCESS: 0, FAILED: 1 });
  });

  it('NONE writes nothing', async () => {
    const { tracker } = await runWith('NONE');
    expect(tracker.calls).toEqual([]);
  });

  it('refuses an unknown strategy naming trackerStrategy and the allowed values', () => {
    expect(() => track(new MemoryTracker(), { strategy: 'SOMETIMES' as TrackerStrategy })).toThrow(
      'trackerStrategy: must be one of OUTBOX, RELIABLE, LIGHTWEIGHT, NONE; got "SOMETIMES"',
    );
  });

  it('keeps transitions idempotent: redelivery leaves one row with its final status', async () => {
    const tracker = new MemoryTracker();
    const entry = { dedupKey: 'k', topic: 't', partition: 0, offset: 5n, attempts: 1 };
    await tracker.received([entry]);
    await tracker.failed([{ ...entry, category: 'PROCESSING_ERROR', errorMessage: 'down' }]);
    await tracker.received([{ ...entry, attempts: 2 }]);
    await tracker.succeeded([{ ...entry, attempts: 2 }]);
    await tracker.failed([{ ...entry, category: 'PROCESSING_ERROR', errorMessage: 'late' }]);
    const [row] = await tracker.get(['k']);
    expect(row).toMatchObject({ status: 'SUCCESS', attempts: 2, category: null });
    expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 1, FAILED: 0 });
  });

  it('skips and counts tracker writes while its breaker is open (skip-and-log)', async () => {
    const { broker, source, clock, recorded } = harness('skip-and-log');
    broker.createTopic('in', 1);
    broker.append([record('in', 'a', { ok: 1 }), record('in', 'b', { ok: 2 })]);
    const down = new MemoryTracker();
    down.succeeded = async () => {
      throw new StoreError('connection terminated');
    };
    const breaker = new CircuitBreaker({ name: 'tracker', failureThreshold: 1, callTimeoutMs: 0 }, clock);
    const tracking = track(down, { strategy: 'OUTBOX', breaker });
    const results = await collect(pipeline(source(['in'], { batchSize: 1 }), tracking.received, tracking, commit()));
    expect(results.every((r) => r.committed)).toBe(true);
    expect(breaker.state).toBe('open');
    // First batch: the write fails and opens the breaker; second batch: pre-insert and update refused while open.
    expect(recorded.value('orchestron_tracker_skipped_total', { operation: 'succeeded' })).toBe(2);
    expect(recorded.value('orchestron_tracker_skipped_total', { operation: 'received' })).toBe(1);
  });

  it('aborts the batch when the tracker is down in atomic mode, and marks the redelivered records on recovery', async () => {
    const { broker, source, clock } = harness('atomic');
    broker.createTopic('in', 1);
    broker.append([record('in', 'a', { ok: 1 })]);
    const tracker = new MemoryTracker({ clock });
    const original = tracker.received.bind(tracker);
    let outage = true;
    tracker.received = async (entries) => {
      if (outage) throw new StoreError('connection refused');
      return original(entries);
    };
    const breaker = new CircuitBreaker({ name: 'tracker', failureThreshold: 1, openMs: 5_000, callTimeoutMs: 0 }, clock);
    const tracking = track(tracker, { strategy: 'OUTBOX', breaker });
    const results: { committed: boolean; code?: string }[] = [];
    const run = pipeline(source(['in']), tracking.received, tracking, commit());
    await clock.run(
      (async () => {
        for await (const result of run) {
          results.push({ committed: result.committed, code: result.error?.code });
          if (results.length === 2) outage = false;
        }
      })(),
    );
    expect(results[0]).toEqual({ committed: false, code: 'STORE_ERROR' });
    expect(results[1]).toEqual({ committed: false, code: 'BREAKER_OPEN' });
    expect(results.at(-1)).toEqual({ committed: true, code: undefined });
    expect(clock.sleeps).toContain(5_000);
    const [row] = await tracker.get([positionKey('in', 0, 0n)]);
    expect(row?.status).toBe('SUCCESS');
    expect(broker.committed('test-group', 'in', 0)).toBe(1n);
  });

  it('LIGHTWEIGHT in atomic mode leaves no FAILED row for records whose batch failed once and then went through', async () => {
    const { broker, source, clock } = harness('atomic');
    broker.createTopic('in', 1);
    broker.append([record('in', 'a', { ok: 1 }), record('in', 'b', 'not json'), record('in', 'c', { ok: 2 })]);
    const tracker = new RecordingTracker({ clock });
    const tracking = track(tracker, { strategy: 'LIGHTWEIGHT' });
    let failOnce = true;
    const flaky = async function* <T>(input: AsyncIterable<Batch<T>>): AsyncIterable<Batch<T>> {
      for await (const batch of input) {
        if (failOnce) {
          failOnce = false;
          batch.control.fail(new ProcessingError('downstream hiccup'));
        }
        yield batch;
      }
    };
    const results = await clock.run(collect(pipeline(source(['in']), decode(json()), flaky, tracking, commit())));
    expect(results.map((r) => r.committed)).toEqual([false, true]);
    const rows = await tracker.get([0n, 1n, 2n].map((offset) => positionKey('in', 0, offset)));
    expect(rows.map((row) => row?.status)).toEqual(['SUCCESS', 'FAILED', 'SUCCESS']);
    expect(rows[1]).toMatchObject({ category: 'DESERIALIZATION_ERROR', attempts: 2 });
    expect(await tracker.countByStatus()).toEqual({ RECEIVED: 0, SUCCESS: 2, FAILED: 1 });
  });

  it('sweeps stale RECEIVED rows to FAILED with TIMEOUT_ERROR', async () => {
    const clock = harness().clock;
    const tracker = new MemoryTracker({ clock });
    await tracker.received([{ dedupKey: 'old', topic: 't', partition: 0, offset: 1n, attempts: 1 }]);
    await clock.advance(60_000);
    await tracker.received([{ dedupKey: 'new', topic: 't', partition: 0, offset: 2n, attempts: 1 }]);
    expect(await tracker.sweep(30_000)).toBe(1);
    const [old, fresh] = await tracker.get(['old', 'new']);
    expect(old).toMatchObject({ status: 'FAILED', category: 'TIMEOUT_ERROR' });
    expect(fresh?.status).toBe('RECEIVED');
    expect(await tracker.failures({ category: 'TIMEOUT_ERROR' })).toHaveLength(1);
  });
});
