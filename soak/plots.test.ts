import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.ts';
import { histogramSpec, percentileSpec, pngOf, svgOf, timelineSpec } from './plots.ts';

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
});
