import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.ts';

describe('latency histogram', () => {
  it('summarises milliseconds at 3 significant digits', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1_000; i++) h.recordMs(i);
    const s = h.summary();
    expect(s.count).toBe(1_000);
    expect(s.p50).toBeCloseTo(500, -1);
    expect(s.p90).toBeCloseTo(900, -1);
    expect(s.p99).toBeCloseTo(990, -1);
    expect(s.max).toBeGreaterThanOrEqual(999);
    expect(s.max).toBeLessThanOrEqual(1_001);
    expect(s.mean).toBeCloseTo(500.5, 0);
  });

  it('keeps sub-millisecond latencies apart', () => {
    const h = new LatencyHistogram();
    h.recordMs(0.25);
    h.recordMs(0.75);
    expect(h.atPercentileMs(25)).toBeCloseTo(0.25, 2);
    expect(h.atPercentileMs(100)).toBeCloseTo(0.75, 2);
  });

  it('writes the percentile distribution as CSV in milliseconds, ending at 100 %', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 100; i++) h.recordMs(10);
    h.recordMs(250);
    const lines = h.percentileCsv().trim().split('\n');
    expect(lines[0]).toBe('"Value","Percentile","TotalCount","1/(1-Percentile)"');
    const points = h.percentiles();
    expect(points.at(-1)).toMatchObject({ percentile: 100, count: 101 });
    expect(points.at(-1)?.latencyMs).toBeCloseTo(250, 0);
    expect(points[0]?.latencyMs).toBeCloseTo(10, 1);
  });

  it('buckets every recorded value once, on log-spaced bounds', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 500; i++) h.recordMs(i / 10);
    const buckets = h.buckets(20);
    expect(buckets).toHaveLength(20);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(500);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]?.fromMs).toBeCloseTo(buckets[i - 1]?.toMs as number, 2);
  });

  it('is empty before anything is recorded', () => {
    const h = new LatencyHistogram();
    expect(h.summary()).toMatchObject({ count: 0, max: 0, mean: 0 });
    expect(h.buckets()).toEqual([]);
    expect(h.percentiles()).toEqual([]);
  });
});
