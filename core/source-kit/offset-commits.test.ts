import { describe, expect, it } from 'vitest';
import type { Position } from '../batch.ts';
import { SinkError } from '../errors.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { OffsetCommits } from './offset-commits.ts';

type PartitionOffset = Position;
const at = (partition: number, offset: number): PartitionOffset => ({ topic: 't', partition, offset: BigInt(offset) });

/** A commit function whose requests are answered by the test, one by one. */
function requests() {
  const sent: { offsets: PartitionOffset[]; answer: (error?: Error) => void }[] = [];
  const commit = (offsets: PartitionOffset[]) =>
    new Promise<void>((resolve, reject) => sent.push({ offsets, answer: (error) => (error ? reject(error) : resolve()) }));
  return { sent, commit };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const shown = (offsets: readonly PartitionOffset[]) => offsets.map((o) => `${o.partition}:${o.offset}`);

describe('OffsetCommits', () => {
  it('sends one request at a time; offsets queued meanwhile go together, the newest per partition', async () => {
    const { sent, commit } = requests();
    const commits = new OffsetCommits(commit);
    const first = commits.commit([at(0, 10)]);
    await settle();
    const second = commits.commit([at(0, 20), at(1, 5)]);
    const third = commits.commit([at(0, 30)]);
    expect(second).toBe(third);
    await settle();
    expect(sent.map((r) => shown(r.offsets))).toEqual([['0:10']]);
    sent[0]?.answer();
    await first;
    await settle();
    expect(sent.map((r) => shown(r.offsets))).toEqual([['0:10'], ['0:30', '1:5']]);
    sent[1]?.answer();
    await third;
  });

  it('fails the offsets queued behind a failed request without sending them, then commits again', async () => {
    const { sent, commit } = requests();
    const commits = new OffsetCommits(commit);
    const first = commits.commit([at(0, 10)]);
    await settle();
    // Caught at once: the second rejects while the first is awaited (Bun reports a rejection not yet handled).
    const second = commits.commit([at(0, 20)]).catch((e: unknown) => e);
    sent[0]?.answer(new Error('coordinator moved'));
    await expect(first).rejects.toThrow('coordinator moved');
    const error = await second;
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).retryable).toBe(true);
    expect(sent).toHaveLength(1);
    // Read again after the rewind: committed normally.
    const again = commits.commit([at(0, 10)]);
    await settle();
    sent[1]?.answer();
    await again;
    expect(sent.map((r) => shown(r.offsets))).toEqual([['0:10'], ['0:10']]);
  });

  it('with an interval, sends at most one request per interval: what finishes meanwhile goes together', async () => {
    const { sent, commit } = requests();
    const clock = new ManualClock();
    const commits = new OffsetCommits(commit, { intervalMs: 100, clock });
    // The first request after a quiet spell goes at once.
    const first = commits.commit([at(0, 10)]);
    await clock.advance(0);
    expect(sent).toHaveLength(1);
    sent[0]?.answer();
    await first;
    const later = [commits.commit([at(0, 20)])];
    await clock.advance(40);
    later.push(commits.commit([at(0, 30), at(1, 7)]));
    await clock.advance(50);
    expect(sent).toHaveLength(1);
    await clock.advance(10);
    expect(sent.map((r) => shown(r.offsets))).toEqual([['0:10'], ['0:30', '1:7']]);
    sent[1]?.answer();
    await Promise.all(later);
  });

  it('flush sends the queued offsets without waiting for the interval', async () => {
    const { sent, commit } = requests();
    const clock = new ManualClock();
    const commits = new OffsetCommits(commit, { intervalMs: 100, clock });
    const first = commits.commit([at(0, 10)]);
    await clock.advance(0);
    sent[0]?.answer();
    await first;
    const second = commits.commit([at(0, 20)]);
    await clock.advance(10);
    expect(sent).toHaveLength(1);
    const flushed = commits.flush();
    await clock.advance(0);
    expect(sent.map((r) => shown(r.offsets))).toEqual([['0:10'], ['0:20']]);
    sent[1]?.answer();
    await flushed;
    await second;
    expect(clock.pendingTimers).toBe(0);
  });
});
