import { describe, expect, it } from 'vitest';
import { parsePrometheus, processFigures, sumOfMetric } from './process-metrics.ts';
import type { ProcessSample } from './process-metrics.ts';

describe('process metrics', () => {
  it('sums the labelled samples of a counter, and only of that counter', () => {
    const text = [
      '# TYPE orchestron_records_filtered_total counter',
      'orchestron_records_filtered_total{topic="a"} 3',
      'orchestron_records_filtered_total{topic="b"} 4',
      'orchestron_records_filtered_total_other 100',
    ].join('\n');
    expect(sumOfMetric(text, 'orchestron_records_filtered_total')).toBe(7);
    expect(sumOfMetric('process_resident_memory_bytes 1', 'orchestron_records_filtered_total')).toBeUndefined();
  });

  it('reads unlabelled samples from a Prometheus exposition', () => {
    const text = [
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      'process_resident_memory_bytes 104857600',
      'nodejs_eventloop_lag_p99_seconds 0.012',
      'nodejs_heap_space_size_total_bytes{space="new"} 1048576',
      'nodejs_gc_duration_seconds_sum{kind="major"} 0.5',
      '',
    ].join('\n');
    const values = parsePrometheus(text);
    expect(values.get('process_resident_memory_bytes')).toBe(104_857_600);
    expect(values.get('nodejs_eventloop_lag_p99_seconds')).toBe(0.012);
    expect(values.has('nodejs_heap_space_size_total_bytes')).toBe(false);
  });

  const sample = (t: number, consumed: number, rssMb?: number, loopP99Ms?: number, cpuSeconds?: number): ProcessSample => ({ t, consumed, produced: 100, rssMb, loopP99Ms, cpuSeconds });

  it('takes peak RSS over the run, growth from the warm-up point to the end and the event-loop p99 after warm-up', () => {
    const figures = processFigures(
      [sample(2, 50, 120, 30, 2), sample(0, 0, 100, 500, 1.5), sample(1, 25, 110, 12, 1.8), sample(3, 100, 121, 10, 3.5), sample(4, 100, undefined, undefined)],
      100,
    );
    expect(figures).toEqual({
      peakRssMb: 121,
      rssAfterWarmupMb: 110,
      rssAtEndMb: 121,
      rssGrowthPct: 10,
      loopP99Ms: 30,
      loopP99MedianMs: 12,
      cpuUsPerRecord: 20_000,
    });
  });

  it('reports nothing it could not measure', () => {
    expect(processFigures([sample(0, 0)], 100)).toEqual({
      peakRssMb: undefined,
      rssAfterWarmupMb: undefined,
      rssAtEndMb: undefined,
      rssGrowthPct: undefined,
      loopP99Ms: undefined,
      loopP99MedianMs: undefined,
      cpuUsPerRecord: undefined,
    });
  });
});
