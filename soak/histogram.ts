import { build } from 'hdr-histogram-js';
import type { Histogram, JsHistogram } from 'hdr-histogram-js';

/** Latency percentiles in milliseconds, as summary.json reports them. */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** One point of the percentile spectrum: the latency at or below which `percentile` % of the records were. */
export interface PercentilePoint {
  readonly percentile: number;
  readonly latencyMs: number;
  readonly count: number;
}

export interface Bucket {
  readonly fromMs: number;
  readonly toMs: number;
  readonly count: number;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * End-to-end latencies in an HDR histogram: recorded in microseconds, 3 significant digits (0.1 % error at any
 * magnitude), resizing itself to the largest value seen.
 */
export class LatencyHistogram {
  readonly #histogram: Histogram;

  constructor() {
    this.#histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
  }

  get count(): number {
    return this.#histogram.totalCount;
  }

  recordMs(latencyMs: number): void {
    this.#histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
  }

  atPercentileMs(percentile: number): number {
    return round(this.#histogram.getValueAtPercentile(percentile) / 1000);
  }

  summary(): LatencySummary {
    const h = this.#histogram;
    return {
      count: h.totalCount,
      mean: round(h.totalCount === 0 ? 0 : h.mean / 1000),
      p50: this.atPercentileMs(50),
      p90: this.atPercentileMs(90),
      p99: this.atPercentileMs(99),
      p999: this.atPercentileMs(99.9),
      max: round(h.totalCount === 0 ? 0 : h.maxValue / 1000),
    };
  }

  /** HdrHistogram's percentile distribution as CSV (Value in ms, Percentile as a fraction, TotalCount, 1/(1-Percentile)). */
  percentileCsv(): string {
    if (this.count === 0) return '"Value","Percentile","TotalCount","1/(1-Percentile)"\n';
    return (this.#histogram as unknown as JsHistogram).outputPercentileDistribution(5, 1000, true);
  }

  /** The percentile spectrum at HdrHistogram's ticks (5 per halving of the distance to 100 %). */
  percentiles(): PercentilePoint[] {
    const rows = this.percentileCsv().trim().split('\n').slice(1);
    return rows
      .map((row) => row.split(','))
      .map(([value, fraction, total]) => ({ percentile: Number(fraction) * 100, latencyMs: Number(value), count: Number(total) }))
      .filter((point) => Number.isFinite(point.percentile) && Number.isFinite(point.latencyMs));
  }

  /** Counts in `buckets` log-spaced latency buckets between the smallest and the largest value recorded. */
  buckets(buckets = 60): Bucket[] {
    const h = this.#histogram as unknown as JsHistogram;
    if (h.totalCount === 0) return [];
    const low = Math.max(1, h.minNonZeroValue);
    const high = Math.max(low + 1, h.maxValue + 1);
    const ratio = Math.log(high / low) / buckets;
    const counts = new Array<number>(buckets).fill(0);
    const iterator = h.recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const step = iterator.next();
      const value = Math.max(low, step.valueIteratedTo);
      const index = Math.min(buckets - 1, Math.floor(Math.log(value / low) / ratio));
      counts[index] = (counts[index] ?? 0) + step.countAddedInThisIterationStep;
    }
    return counts.map((count, i) => ({ fromMs: round((low * Math.exp(ratio * i)) / 1000), toMs: round((low * Math.exp(ratio * (i + 1))) / 1000), count }));
  }
}
