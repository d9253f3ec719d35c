import { describe, expect, it } from 'vitest';
import { lagCsv, lagFigures, lagPoints, lagSamples } from './lag-sampler.ts';

const ends = [
  { name: 'other', partitions: [{ partitionIndex: 0, offset: 999n, timestamp: -1n, leaderEpoch: 0 }] },
  {
    name: 'in',
    partitions: [
      { partitionIndex: 1, offset: 50n, timestamp: -1n, leaderEpoch: 0 },
      { partitionIndex: 0, offset: 100n, timestamp: -1n, leaderEpoch: 0 },
    ],
  },
];

const group = (committed: [number, bigint][]) => ({
  groupId: 'g',
  topics: [{ name: 'in', partitions: committed.map(([partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: 0, metadata: null })) }],
});

describe('soak lag sampler', () => {
  it('pairs the end offsets of the topic with the committed offsets of the group, partition by partition', () => {
    expect(lagSamples(1_500, 'in', ends, group([[0, 40n], [1, -1n]]))).toEqual([
      { t: 1_500, partition: 0, end: 100, committed: 40 },
      { t: 1_500, partition: 1, end: 50, committed: 0 },
    ]);
    // Before the group's first commit it has no offsets at all.
    expect(lagSamples(0, 'in', ends, undefined).map((s) => s.committed)).toEqual([0, 0]);
  });

  it('sums the partitions of each moment, in time order, and finds the highest and the last lag', () => {
    const samples = [...lagSamples(1_000, 'in', ends, group([[0, 100n], [1, 50n]])), ...lagSamples(500, 'in', ends, group([[0, 40n]]))];
    const points = lagPoints(samples);
    expect(points).toEqual([
      { tS: 0.5, end: 150, committed: 40, lag: 110 },
      { tS: 1, end: 150, committed: 150, lag: 0 },
    ]);
    expect(lagFigures(points)).toEqual({ maxLag: 110, lagAtEnd: 0 });
    expect(lagFigures([])).toEqual({ maxLag: undefined, lagAtEnd: undefined });
  });

  it('writes one CSV row per partition and moment', () => {
    expect(lagCsv([...lagSamples(1_250, 'in', ends, group([[0, 90n]])), ...lagSamples(250, 'in', ends, undefined)])).toBe(
      ['t_s,partition,end_offset,committed_offset,lag', '0.25,0,100,0,100', '0.25,1,50,0,50', '1.25,0,100,90,10', '1.25,1,50,0,50', ''].join('\n'),
    );
  });
});
