import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.ts';
import { histogramSpec, lagSpec, latencyAxis, percentileSpec, pngOf, svgOf, timelineSpec } from './plots.ts';

const histogram = () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 2_000; i++) h.recordMs(5 + (i % 100) / 10);
  return h;
};

describe('soak plots', () => {
  it('renders the latency histogram to SVG and PNG', async () => {
    const svg = await svgOf(histogramSpec([{ phase: 'pipeline', points: histogram().buckets() }], 'Latency histogram'));
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(svg).toContain('Latency histogram');
    const png = pngOf(svg);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('places the percentiles on a 1/(1 − p) axis, the maximum at 1 in N', () => {
    const points = histogram().percentiles();
    const spec = percentileSpec([{ phase: 'raw', points }], 'Percentiles') as { data: { values: { inverse: number; percentile: number }[] } };
    const values = spec.data.values;
    expect(values[0]?.inverse).toBe(1);
    expect(values.at(-1)).toMatchObject({ percentile: 100, inverse: 2_000 });
    const middle = values.find((v) => v.percentile > 90 && v.percentile < 100);
    expect(middle?.inverse).toBeCloseTo(1 / (1 - (middle?.percentile as number) / 100), 6);
  });

  it('derives the output rate of the timeline from the samples', async () => {
    const samples = [
      { t: 0, consumed: 0, produced: 0, rssMb: 100, loopP99Ms: 11 },
      { t: 2, consumed: 10_000, produced: 10_000, rssMb: 110, loopP99Ms: 12 },
    ];
    const spec = timelineSpec([{ phase: 'pipeline', points: samples }], 'Timeline') as { data: { values: { rate: number | null }[] } };
    expect(spec.data.values.map((v) => v.rate)).toEqual([null, 5_000]);
    expect(await svgOf(timelineSpec([{ phase: 'pipeline', points: samples }], 'Timeline'))).toContain('RSS (MiB)');
  });

  it('has a colour and a legend entry only for the phases that ran', async () => {
    const points = histogram().percentiles();
    const only = percentileSpec([{ phase: 'pipeline', points }], 'P') as { encoding: { color: { scale: { domain: string[] } } } };
    expect(only.encoding.color.scale.domain).toEqual(['pipeline']);
    const svg = await svgOf(percentileSpec([{ phase: 'pipeline', points }], 'P'));
    expect(svg).toContain('>pipeline<');
    expect(svg).not.toContain('>raw<');
    const both = percentileSpec([{ phase: 'pipeline', points }, { phase: 'baseline', points }], 'P') as { encoding: { color: { scale: { domain: string[] } } } };
    expect(both.encoding.color.scale.domain).toEqual(['pipeline', 'baseline']);
  });

  it('calls closed-loop latency time in the backlog', async () => {
    expect(latencyAxis(false)).toBe('time in the backlog, send → output (ms)');
    const svg = await svgOf(histogramSpec([{ phase: 'pipeline', points: histogram().buckets() }], 'H', latencyAxis(false)));
    expect(svg).toContain('time in the backlog, send → output (ms, log scale)');
  });

  it('plots the lag alone when the process reported it (no offsets)', async () => {
    const svg = await svgOf(lagSpec([{ phase: 'pipeline', points: [{ tS: 0, lag: 1_000 }, { tS: 1, lag: 200 }] }], 'Lag'));
    expect(svg).toContain('lag (records)');
    expect(svg).not.toContain('offsets, all partitions');
  });

  it('plots the lag and the offsets over time', async () => {
    const points = [
      { tS: 0, end: 1_000, committed: 0, lag: 1_000 },
      { tS: 0.5, end: 2_000, committed: 1_500, lag: 500 },
    ];
    const svg = await svgOf(lagSpec([{ phase: 'pipeline', points }], 'Lag'));
    expect(svg).toContain('lag (records)');
    expect(svg).toContain('committed');
    expect(svg).toContain('end of topic');
  });
});
