import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../breaker.ts';
import { MemoryDedupStore } from '../dedup/memory-store.ts';
import type { DedupStore } from '../dedup/store.ts';
import { StoreError } from '../errors.ts';
import { pipeline } from '../pipeline.ts';
import { collect, harness, record, text, totals } from '../testing/fixtures.ts';
import type { BatchResult } from './commit.ts';
import { commit } from './commit.ts';
import { dedup } from './dedup.ts';
import { transform } from './transform.ts';

const byValue = { key: (r: { raw: Uint8Array | null }) => text(r.raw) ?? '', ttlMs: 60_000 };

describe('dedup', () => {
  it('drops records already processed, across batches and within one', async () => {
    const { broker, source, recorded } = harness();
    broker.createTopic('in', 1);
    broker.append(['x', 'y', 'x', 'z', 'y', 'w'].map((v) => record('in', null, v)));
    const store = new MemoryDedupStore();
    const results = await collect(
      pipeline(source(['in'], { batchSize: 3 }), dedup(store, byValue), commit()),
    );
    expect(results.map((r) => r.ok)).toEqual([2, 2]);
    expect(results.map((r) => r.dropped.deduplicated)).toEqual([1, 1]);
    expect(recorded.value('orchestron_records_deduplicated_total', { topic: 'in' })).toBe(2);
    expect(await store.seen(['x', 'y', 'z', 'w'])).toEqual([true, true, true, true]);
  });

  it('does not remember the keys of an aborted batch, so its redelivery is processed', async () => {
    const { broker, source, clock } = harness('atomic');
    broker.createTopic('in', 1);
    broker.append([record('in', null, 'once')]);
    const store = new MemoryDedupStore();
    let calls = 0;
    const flaky = transform(
      (v: Uint8Array | null) => {
        if (++calls === 1) throw new Error('transient');
        return v;
      },
      { retry: { attempts: 1 }, timeoutMs: 0 },
    );
    const results = await clock.run(collect(pipeline(source(['in']), dedup(store, byValue), flaky, commit())));
    expect(totals(results)).toEqual({ committed: 1, aborted: 1, ok: 1 });
    expect(calls).toBe(2);
  });

  it('processes without dedup when the store is down in skip-and-log mode, and aborts in atomic mode', async () => {
    const down: DedupStore = {
      seen: async () => {
        throw new StoreError('ECONNREFUSED');
      },
      remember: async () => {
        throw new StoreError('ECONNREFUSED');
      },
      close: async () => {},
    };
    const skip = harness('skip-and-log');
    skip.broker.createTopic('in', 1);
    skip.broker.append([record('in', null, 'a')]);
    const breaker = new CircuitBreaker({ name: 'dedup', failureThreshold: 1, callTimeoutMs: 0 }, skip.clock);
    const skipped = await collect(pipeline(skip.source(['in']), dedup(down, { ...byValue, breaker }), commit()));
    expect(totals(skipped)).toEqual({ committed: 1, aborted: 0, ok: 1 });
    expect(breaker.state).toBe('open');

    const atomic = harness('atomic');
    atomic.broker.createTopic('in', 1);
    atomic.broker.append([record('in', null, 'a')]);
    const controller = new AbortController();
    const results: BatchResult[] = [];
    for await (const result of pipeline(atomic.source(['in'], { signal: controller.signal }), dedup(down, byValue), commit())) {
      results.push(result);
      controller.abort();
    }
    expect(results[0]?.committed).toBe(false);
    expect(results[0]?.error?.code).toBe('STORE_ERROR');
  });
});
