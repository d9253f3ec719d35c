import { describe, expect, it } from 'vitest';
import { json } from '../codecs/json.ts';
import { DeadLetterHeaders, maxErrorMessageLength } from '../dead-letter/headers.ts';
import { encodeText } from '../envelope.ts';
import { DeadLetterRefusedError, ProcessingError, SinkError } from '../errors.ts';
import { memorySink } from '../memory/sink.ts';
import { pipeline } from '../pipeline.ts';
import type { Sink } from '../sink.ts';
import { collect, harness, record, text } from '../testing/fixtures.ts';
import type { BatchResult } from './commit.ts';
import { commit } from './commit.ts';
import { deadLetter } from './dead-letter.ts';
import { decode } from './decode.ts';
import { transform } from './transform.ts';

const header = (headers: ReadonlyMap<string, Uint8Array>, name: string) => text(headers.get(name));

describe('deadLetter', () => {
  it('sends failed records untouched with the dead-letter headers', async () => {
    const { broker, source, clock, recorded } = harness('skip-and-log');
    broker.createTopic('orders', 1);
    broker.append([
      record('orders', 'k1', '{broken', new Map([['trace', encodeText('t-1')]])),
      record('orders', 'k2', { fail: true }),
      record('orders', 'k3', { fail: false }),
    ]);
    const stage = transform(
      (v: { fail: boolean }) => {
        if (v.fail) throw new ProcessingError('x'.repeat(5_000));
        return v;
      },
      { timeoutMs: 0, retry: { attempts: 2, jitter: 'none' } },
    );
    const results = await clock.run(
      collect(
        pipeline(source(['orders']), decode(json<{ fail: boolean }>()), stage, deadLetter(memorySink(broker)), commit()),
      ),
    );
    expect(results[0]).toMatchObject({ committed: true, ok: 1, dropped: { 'dead-lettered': 2, failed: 0 } });

    const [poison, failed] = broker.records('orders-dlq');
    expect(text(poison?.key)).toBe('k1');
    expect(text(poison?.value)).toBe('{broken');
    const h = poison?.headers ?? new Map();
    expect(header(h, 'trace')).toBe('t-1');
    expect(header(h, DeadLetterHeaders.sourceTopic)).toBe('orders');
    expect(header(h, DeadLetterHeaders.sourcePartition)).toBe('0');
    expect(header(h, DeadLetterHeaders.sourceOffset)).toBe('0');
    expect(header(h, DeadLetterHeaders.sourceConsumerGroup)).toBe('test-group');
    expect(header(h, DeadLetterHeaders.sourceHost)).toBe('test-host');
    expect(header(h, DeadLetterHeaders.sourceAttempts)).toBe('1');
    expect(header(h, DeadLetterHeaders.category)).toBe('DESERIALIZATION_ERROR');
    expect(header(h, DeadLetterHeaders.retryable)).toBe('false');
    expect(header(h, DeadLetterHeaders.firstFailureAt)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(h.has(DeadLetterHeaders.attempts)).toBe(false);

    const f = failed?.headers ?? new Map();
    expect(text(failed?.value)).toBe('{"fail":true}');
    expect(header(f, DeadLetterHeaders.category)).toBe('PROCESSING_ERROR');
    expect(header(f, DeadLetterHeaders.retryable)).toBe('true');
    expect(header(f, DeadLetterHeaders.sourceOffset)).toBe('1');
    expect(header(f, DeadLetterHeaders.attempts)).toBe('2');
    expect(header(f, DeadLetterHeaders.message)?.length).toBe(maxErrorMessageLength);
    const first = Date.parse(header(f, DeadLetterHeaders.firstFailureAt) ?? '');
    const last = Date.parse(header(f, DeadLetterHeaders.lastFailureAt) ?? '');
    expect(last - first).toBe(1_000);
    expect(recorded.value('orchestron_records_dead_lettered_total', { topic: 'orders', category: 'PROCESSING_ERROR' })).toBe(1);
  });

  // A loop, not it.each: the core's tests also run under Deno, through a vitest shim without it (scripts/deno).
  for (const failureMode of ['skip-and-log', 'atomic'] as const) {
    it(`${failureMode}: fails the batch when the dead-letter sink is down, so nothing is committed`, async () => {
      const { broker, source, clock } = harness(failureMode);
      broker.createTopic('orders', 1);
      broker.append([record('orders', 'k', '{broken')]);
      const down: Sink = {
        send: async () => {
          throw new SinkError('broker unreachable');
        },
        close: async () => {},
      };
      const controller = new AbortController();
      const results: BatchResult[] = [];
      const run = pipeline(
        source(['orders'], { signal: controller.signal }),
        decode(json()),
        deadLetter(down, { retry: { attempts: 2 } }),
        commit(),
      );
      await clock.run(
        (async () => {
          for await (const result of run) {
            results.push(result);
            controller.abort();
          }
        })(),
      );
      expect(results[0]).toMatchObject({ committed: false });
      expect(results[0]?.error?.code).toBe('SINK_ERROR');
      expect(broker.committed('test-group', 'orders', 0)).toBe(0n);
    });

    it(`${failureMode}: a dead letter refused for good fails the batch naming the source partitions it came from`, async () => {
      const { broker, source, clock } = harness(failureMode);
      broker.createTopic('orders', 2);
      broker.append([{ ...record('orders', 'k', '{broken'), partition: 1 }, { ...record('orders', 'k', '{"ok":1}'), partition: 0 }]);
      const refusing: Sink = {
        send: async () => {
          throw new SinkError('MESSAGE_TOO_LARGE', { retryable: false });
        },
        close: async () => {},
      };
      const controller = new AbortController();
      const results: BatchResult[] = [];
      const run = pipeline(source(['orders'], { signal: controller.signal }), decode(json()), deadLetter(refusing), commit());
      await clock.run(
        (async () => {
          for await (const result of run) {
            results.push(result);
            if (result.error) controller.abort();
          }
        })(),
      );
      const error = results.find((result) => result.error)?.error;
      expect(error).toBeInstanceOf(DeadLetterRefusedError);
      expect((error as DeadLetterRefusedError).partitions).toEqual([{ topic: 'orders', partition: 1 }]);
      expect(error?.message).toContain('MESSAGE_TOO_LARGE');
    });
  }

  // At-least-once only: exactly-once the stage waits for the send, so that an abort never races a send in the batch's
  // transaction (or a send that would begin one after the abort).
  it('skip-and-log: the batch goes on while the dead letters are sent, and commits only once they are acknowledged', async () => {
    const { broker, source, clock } = harness('skip-and-log');
    broker.createTopic('orders', 1);
    broker.append([record('orders', 'k', '{broken')]);
    let acknowledge!: () => void;
    const sent: number[] = [];
    const slow: Sink = {
      send: (records) => {
        sent.push(records.length);
        return new Promise<void>((resolve) => (acknowledge = resolve));
      },
      close: async () => {},
    };
    const controller = new AbortController();
    const afterDeadLetter: number[] = [];
    const seen = async function* <T>(batches: AsyncIterable<T>) {
      for await (const batch of batches) {
        afterDeadLetter.push(sent.length);
        yield batch;
      }
    };
    const results: BatchResult[] = [];
    const run = pipeline(source(['orders'], { signal: controller.signal }), decode(json()), deadLetter(slow), seen, commit());
    const consuming = (async () => {
      for await (const result of run) {
        results.push(result);
        controller.abort();
      }
    })();
    await clock.advance(10);
    // The send has started and the batch has moved past the stage, but nothing is committed before the acknowledgement.
    expect(sent).toEqual([1]);
    expect(afterDeadLetter).toEqual([1]);
    expect(results).toEqual([]);
    expect(broker.committed('test-group', 'orders', 0)).toBe(0n);
    acknowledge();
    await clock.run(consuming);
    expect(results[0]).toMatchObject({ committed: true });
    expect(broker.committed('test-group', 'orders', 0)).toBe(1n);
  });
});

describe('deadLetter: dead letters too large for the dead-letter topic', () => {
  for (const failureMode of ['skip-and-log', 'atomic'] as const) {
    it(`${failureMode}: cuts the value to fit, says so in headers, and commits`, async () => {
      const { broker, source, clock } = harness(failureMode);
      broker.createTopic('orders', 1);
      broker.append([record('orders', 'k', `{broken${'x'.repeat(3_000)}`), record('orders', 'k', '{"ok":1}')]);
      const sink = memorySink(broker, { maxRecordBytes: (topic) => (topic === 'orders-dlq' ? 2_000 : undefined) });
      const results = await clock.run(collect(pipeline(source(['orders']), decode(json()), deadLetter(sink), commit())));
      expect(results[0]).toMatchObject({ committed: true, ok: 1, dropped: { 'dead-lettered': 1 } });
      const [dead] = broker.records('orders-dlq');
      expect(dead?.value?.byteLength).toBeLessThan(2_000);
      expect(text(dead?.value)?.startsWith('{broken')).toBe(true);
      expect(header(dead?.headers ?? new Map(), DeadLetterHeaders.sourceValueBytes)).toBe('3007');
      expect(header(dead?.headers ?? new Map(), DeadLetterHeaders.sourceValueTruncated)).toBe('true');
      expect(header(dead?.headers ?? new Map(), DeadLetterHeaders.category)).toBe('DESERIALIZATION_ERROR');
      expect(broker.committed('test-group', 'orders', 0)).toBe(2n);
    });

    it(`${failureMode}: a dead letter that cannot fit even without its value is refused, naming its source partition`, async () => {
      const { broker, source, clock } = harness(failureMode);
      broker.createTopic('orders', 1);
      broker.append([record('orders', 'k', '{broken')]);
      const sink = memorySink(broker, { maxRecordBytes: (topic) => (topic === 'orders-dlq' ? 100 : undefined) });
      const controller = new AbortController();
      const results: BatchResult[] = [];
      const run = pipeline(source(['orders'], { signal: controller.signal }), decode(json()), deadLetter(sink), commit());
      await clock.run(
        (async () => {
          for await (const result of run) {
            results.push(result);
            controller.abort();
          }
        })(),
      );
      expect(results[0]).toMatchObject({ committed: false });
      expect(results[0]?.error).toBeInstanceOf(DeadLetterRefusedError);
      expect(results[0]?.error?.message).toContain('orders-dlq');
      expect(broker.records('orders-dlq')).toEqual([]);
      expect(broker.committed('test-group', 'orders', 0)).toBe(0n);
    });
  }
});
