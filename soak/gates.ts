import type { BaselineComparison } from './baseline.ts';
import type { GateLimits } from './options.ts';
import { allPhases, headlineThroughput } from './summary.ts';
import type { SoakSummary } from './summary.ts';

/** One gate: the flag that set it, what it measures, its limit and this run's figure. */
export interface GateResult {
  /** The flag, e.g. `--max-p99-ms`. */
  readonly gate: string;
  readonly what: string;
  /** `max`: the figure must not exceed the limit; `min`: must not fall below it. */
  readonly kind: 'max' | 'min';
  readonly limit: number;
  /** null when the run could not measure it (then the gate fails: a CI step must not pass on a missing figure). */
  readonly figure: number | null;
  readonly unit: string;
  readonly passed: boolean;
}

const gate = (flag: string, what: string, kind: 'max' | 'min', limit: number, figure: number | null | undefined, unit: string): GateResult => {
  const value = figure ?? null;
  return { gate: flag, what, kind, limit, figure: value, unit, passed: value !== null && (kind === 'max' ? value <= limit : value >= limit) };
};

/** What latency is here: without --rate records wait in the topic from the start, so it is time in the backlog. */
export const latencyName = (summary: Pick<SoakSummary, 'rate_msgs_per_s'>): string => (summary.rate_msgs_per_s ? 'latency' : 'time in the backlog');

/**
 * Every gate the limits set, against the summary (the last round's pipeline phase; throughput as the median over
 * rounds; lost and duplicated over every phase). Lost and duplicated are always checked (limit 0 unless set).
 */
export function evaluateGates(summary: SoakSummary, limits: GateLimits, baseline?: BaselineComparison): GateResult[] {
  const latency = latencyName(summary);
  const records = allPhases(summary);
  const gates: GateResult[] = [];
  if (limits.maxP99Ms !== undefined) gates.push(gate('--max-p99-ms', `p99 ${latency}`, 'max', limits.maxP99Ms, summary.latency_ms.count > 0 ? summary.latency_ms.p99 : null, 'ms'));
  if (limits.maxP50Ms !== undefined) gates.push(gate('--max-p50-ms', `p50 ${latency}`, 'max', limits.maxP50Ms, summary.latency_ms.count > 0 ? summary.latency_ms.p50 : null, 'ms'));
  if (limits.minThroughput !== undefined) gates.push(gate('--min-throughput', 'throughput', 'min', limits.minThroughput, headlineThroughput(summary) || null, 'records/s'));
  if (limits.maxRssGrowthPct !== undefined) gates.push(gate('--max-rss-growth-pct', 'RSS growth after warm-up', 'max', limits.maxRssGrowthPct, summary.rss_growth_pct, '%'));
  gates.push(gate('--max-lost', 'records lost', 'max', limits.maxLost, records.lost, 'records'));
  gates.push(gate('--max-duplicated', 'records duplicated', 'max', limits.maxDuplicated, records.duplicated, 'records'));
  if (limits.maxRegressionPct !== undefined) {
    const change = (name: string) => baseline?.figures.find((f) => f.name === name)?.change_pct;
    const drop = change('throughput');
    const rise = change('p99');
    gates.push(gate('--max-regression-pct', 'throughput drop against the baseline', 'max', limits.maxRegressionPct, drop === null || drop === undefined ? null : -drop, '%'));
    gates.push(gate('--max-regression-pct', `p99 ${latency} rise against the baseline`, 'max', limits.maxRegressionPct, rise, '%'));
  }
  if (limits.minRawRatio !== undefined) gates.push(gate('--min-raw-ratio', 'pipeline / raw loop throughput', 'min', limits.minRawRatio, summary.compare?.ratio || null, ''));
  if (limits.minEosRatio !== undefined) gates.push(gate('--min-eos-ratio', 'exactly-once / at-least-once throughput', 'min', limits.minEosRatio, summary.compare?.ratio || null, ''));
  return gates;
}

/** A figure with its unit, or 'not measured'. */
export const withUnit = (n: number | null, unit: string): string =>
  n === null ? 'not measured' : `${n.toLocaleString('en-US', { maximumFractionDigits: 3 })}${unit === '' ? '' : unit === '%' ? ' %' : ` ${unit}`}`;

/** `--max-p99-ms: p99 latency 35.2 ms, limit ≤ 0 ms` */
export const gateLine = (g: GateResult): string => `${g.gate}: ${g.what} ${withUnit(g.figure, g.unit)}, limit ${g.kind === 'max' ? '≤' : '≥'} ${withUnit(g.limit, g.unit)}`;
