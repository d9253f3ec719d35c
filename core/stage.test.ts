import { describe, expect, it } from 'vitest';
import type { BatchControl } from './batch.ts';
import { json } from './codecs/json.ts';
import { pipeline } from './pipeline.ts';
import { named } from './stage.ts';
import type { BatchStage } from './stage.ts';
import { commit } from './stages/commit.ts';
import { decode } from './stages/decode.ts';
import { collect, harness, record } from './testing/fixtures.ts';

describe('named', () => {
  it('notes on each batch the last stage that took it, and commit last', async () => {
    const { broker, source, clock } = harness('skip-and-log');
    broker.createTopic('orders', 1);
    broker.append([record('orders', 'k', { n: 1 })]);
    const seenAt: (string | undefined)[] = [];
    let control: BatchControl | undefined;
    const look: BatchStage<unknown, unknown> = async function* (input) {
      for await (const batch of input) {
        control = batch.control;
        seenAt.push(batch.control.stage);
        yield batch;
      }
    };
    await clock.run(collect(pipeline(source(['orders']), named('decode', decode(json())), named('look', look), commit())));
    expect(seenAt).toEqual(['look']);
    expect(control?.stage).toBe('commit');
  });
});
