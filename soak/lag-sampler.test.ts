import { describe, expect, it } from 'vitest';
import { lagCsv, lagFigures, lagPoints, lagSamples, reportedLagSamples } from './lag-sampler.ts';

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

  it("reads the process's own lag of the input topic from its metrics, partition by partition", () => {
    const exposition = [
      '# HELP orchestron_consumer_lag A source partition assigned to this instance: ...',
      '# TYPE orchestron_consumer_lag gauge',
      'orchestron_consumer_lag{topic="in",partition="1"} 7',
      'orchestron_consumer_lag{topic="other",partition="0"} 999',
      'orchestron_consumer_lag{topic="in",partition="0"} 30',
      'orchestron_consumer_total_lag 1036',
      '',
    ].join('\n');
    const samples = reportedLagSamples(2_000, 'in', exposition);
    expect(samples).toEqual([
      { t: 2_000, partition: 0, lag: 30 },
      { t: 2_000, partition: 1, lag: 7 },
    ]);
    expect(reportedLagSamples(0, 'in', 'process_resident_memory_bytes 1\n')).toEqual([]);
    const later = reportedLagSamples(3_000, 'in', 'orchestron_consumer_lag{topic="in",partition="0"} 0\n');
    expect(lagPoints([...later, ...samples])).toEqual([
      { tS: 2, lag: 37 },
      { tS: 3, lag: 0 },
    ]);
    expect(lagCsv(samples)).toBe(['t_s,partition,end_offset,committed_offset,lag', '2,0,,,30', '2,1,,,7', ''].join('\n'));
  });
});
