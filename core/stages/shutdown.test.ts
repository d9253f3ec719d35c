import { describe, expect, it } from 'vitest';
import { Batch, BatchControl } from '../batch.ts';
import { envelope } from '../envelope.ts';
import { pipeline } from '../pipeline.ts';
import { collect, harness, record } from '../testing/fixtures.ts';
import { commit } from './commit.ts';
import { transform } from './transform.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('shutdown', () => {
  it('stopping the source drains the batch in flight: every record of it runs and commits', async () => {
    const { broker, source } = harness('atomic');
    broker.createTopic('in', 1);
    broker.append(Array.from({ length: 30 }, (_, id) => record('in', `k${id % 3}`, { id })));
    const stop = new AbortController();
    const seen: number[] = [];
    const results = await collect(
      pipeline(
        source(['in'], { signal: stop.signal, stopWhenIdle: false, batchSize: 10 }),
        transform(
          async (value: Uint8Array | null) => {
            stop.abort();
            await tick();
            seen.push(JSON.parse(new TextDecoder().decode(value!)).id);
            return value;
          },
          { concurrency: 2 },
        ),
        commit(),
      ),
    );
    expect(results).toEqual([{ id: 1, committed: true, ok: 10, dropped: { deduplicated: 0, failed: 0, 'dead-lettered': 0, filtered: 0 } }]);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(broker.committed('test-group', 'in', 0)).toBe(10n);
  });

  it('a batch whose signal aborts before every record ran fails instead of committing past them', async () => {
    const { context } = harness('skip-and-log');
    const interrupt = new AbortController();
    const settled: string[] = [];
    const control = new BatchControl({
      id: 1,
      positions: [{ topic: 'in', partition: 0, offset: 4n }],
      context,
      settlement: { commit: async () => void settled.push('commit'), abort: async () => void settled.push('abort') },
      signal: interrupt.signal,
    });
    const records = [0, 1, 2, 3].map((offset) => envelope({ topic: 'in', partition: 0, offset: BigInt(offset), value: new Uint8Array([offset]) }, 0));
    async function* one() {
      yield new Batch(control, records);
    }
    const results = await collect(
      pipeline(
        one(),
        transform(
          async (value: Uint8Array | null) => {
            interrupt.abort();
            await tick();
            return value;
          },
          { concurrency: 1, orderBy: 'none' },
        ),
        commit(),
      ),
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ committed: false, error: { code: 'PROCESSING_ERROR' } });
    expect(settled).toEqual(['abort']);
  });
});
