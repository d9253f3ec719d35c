import { describe, expect, it } from 'vitest';
import { BatchControl } from '../batch.ts';
import { pipelineContext } from '../context.ts';
import { BreakerOpenError, ProcessingError, SinkError } from '../errors.ts';
import { offsetSettlement } from './offset-settlement.ts';
import { Redeliveries } from './redeliveries.ts';
import { redeliveryDelayMs } from './redelivery-delay.ts';
import { Rewinds } from './rewinds.ts';

const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: 'kit' });

/** A batch of offsets `from`..`to` of partition 0, read now, whose settlement notes what it was asked to do. */
function batch(rewinds: Rewinds, redeliveries: Redeliveries, from: number, to: number) {
  const calls: string[] = [];
  const settlement = offsetSettlement({
    rewinds,
    readAt: rewinds.count,
    redeliveries,
    ranges: [{ topic: 't', partition: 0, from: BigInt(from), to: BigInt(to) }],
    commit: async () => void calls.push('commit'),
    rewind: (_control, error) => void calls.push(`rewind after ${redeliveryDelayMs(error)} ms`),
    discard: () => void calls.push('discard'),
  });
  const control = new BatchControl({ id: from, positions: [{ topic: 't', partition: 0, offset: BigInt(to + 1) }], context, settlement });
  return { control, calls };
}

describe('offsetSettlement', () => {
  it('counts a redelivery and a rewind on abort, and forgets them once a batch holding the records commits', async () => {
    const rewinds = new Rewinds();
    const redeliveries = new Redeliveries();
    const first = batch(rewinds, redeliveries, 0, 4);
    await first.control.abort(new BreakerOpenError('pricing', 500));
    expect(first.calls).toEqual(['rewind after 500 ms']);
    expect(rewinds.count).toBe(1);
    expect(redeliveries.attempts('t', 0, 4n)).toBe(2);
    const again = batch(rewinds, redeliveries, 0, 4);
    await again.control.commit();
    expect(again.calls).toEqual(['commit']);
    expect(redeliveries.attempts('t', 0, 4n)).toBe(1);
  });

  it('refuses to commit a batch read before a rewind, and discards it on abort without counting a delivery', async () => {
    const rewinds = new Rewinds();
    const redeliveries = new Redeliveries();
    const aborted = batch(rewinds, redeliveries, 0, 4);
    const stale = batch(rewinds, redeliveries, 5, 9);
    await aborted.control.abort(new ProcessingError('down', { retryable: true }));
    const refused = await stale.control.commit().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SinkError);
    expect((refused as SinkError).retryable).toBe(true);
    await stale.control.abort(refused as SinkError);
    expect(stale.calls).toEqual(['discard']);
    expect(rewinds.count).toBe(1);
    expect(redeliveries.attempts('t', 0, 5n)).toBe(1);
  });
});
