import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/index.ts';
import type { PercentilePoint } from './histogram.ts';
import { allPhases, headlineThroughput } from './summary.ts';
import type { SoakSummary } from './summary.ts';

/** One figure of this run beside the baseline's. */
export interface BaselineFigure {
  readonly name: string;
  readonly unit: string;
  /** Which way is better: a higher throughput, a lower latency. */
  readonly better: 'higher' | 'lower';
  readonly baseline: number | null;
  readonly current: number | null;
  /** (current − baseline) / baseline in %; null when either is missing or the baseline is 0. */
  readonly change_pct: number | null;
}

export interface BaselineComparison {
  /** The baseline's summary.json, as given. */
  readonly path: string;
  readonly started_at: string | null;
  readonly mode: string | null;
  readonly runtime: string | null;
  readonly messages: number | null;
  /** How the two runs were set up differently (`mode eos → alo`): figures of unlike runs compare poorly. */
  readonly differs: readonly string[];
  readonly figures: readonly BaselineFigure[];
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * A previous run's summary.json (or the directory holding it). Anything that is not one, a missing file, bad JSON, no
 * throughput or latency, is a ConfigError naming --baseline, before any record is produced.
 */
export function readBaseline(path: string): SoakSummary {
  let file = path;
  let parsed: unknown;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'summary.json');
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError('--baseline', `cannot read ${file}: ${reason}`);
  }
  const summary = parsed as Partial<SoakSummary> | null;
  if (typeof summary !== 'object' || summary === null || !isNumber(summary.throughput_msgs_per_s) || !isNumber(summary.latency_ms?.p99)) {
    throw new ConfigError('--baseline', `${file} is not a soak summary.json (no throughput_msgs_per_s or latency_ms.p99)`);
  }
  return summary as SoakSummary;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

const figure = (name: string, unit: string, better: 'higher' | 'lower', baseline: number | null | undefined, current: number | null | undefined): BaselineFigure => {
  const b = isNumber(baseline) ? baseline : null;
  const c = isNumber(current) ? current : null;
  return { name, unit, better, baseline: b, current: c, change_pct: b !== null && c !== null && b !== 0 ? round1(((c - b) / b) * 100) : null };
};

/** The headline figures of `current` beside `baseline`'s, with the change in %. */
export function compareWithBaseline(current: SoakSummary, baseline: SoakSummary, path: string): BaselineComparison {
  const figures = (s: SoakSummary) => ({
    throughput: headlineThroughput(s),
    p50: s.latency_ms?.p50,
    p99: s.latency_ms?.p99,
    max: s.latency_ms?.max,
    cpu: s.cpu_us_per_record,
    rss: s.peak_rss_mb,
    growth: s.rss_growth_pct,
    lost: allPhases(s).lost,
    duplicated: allPhases(s).duplicated,
  });
  const b = figures(baseline);
  const c = figures(current);
  const setup = (s: SoakSummary) => ({
    mode: s.mode,
    runtime: s.runtime,
    messages: s.messages,
    rate: s.rate_msgs_per_s,
    partitions: s.partitions,
    'batch size': s.batch_size,
    'compared with': s.compare ? (s.compare.target ?? 'raw') : 'nothing',
    soaked: s.soaked,
    records: s.records,
  });
  const was = setup(baseline) as Record<string, unknown>;
  const differs = Object.entries(setup(current))
    .filter(([key, value]) => was[key] !== undefined && was[key] !== value)
    .map(([key, value]) => `${key} ${String(was[key] ?? '—')} → ${String(value ?? '—')}`);
  return {
    path,
    started_at: baseline.started_at ?? null,
    mode: baseline.mode ?? null,
    runtime: baseline.runtime ?? null,
    messages: baseline.messages ?? null,
    differs,
    figures: [
      figure('throughput', 'records/s', 'higher', b.throughput, c.throughput),
      figure('p50', 'ms', 'lower', b.p50, c.p50),
      figure('p99', 'ms', 'lower', b.p99, c.p99),
      figure('max', 'ms', 'lower', b.max, c.max),
      figure('CPU per record', 'µs', 'lower', b.cpu, c.cpu),
      figure('peak RSS', 'MiB', 'lower', b.rss, c.rss),
      figure('RSS growth', '%', 'lower', b.growth, c.growth),
      figure('lost', 'records', 'lower', b.lost, c.lost),
      figure('duplicated', 'records', 'lower', b.duplicated, c.duplicated),
    ],
  };
}

const num = (n: number | null): string => (n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));

/** `+12.5 %`, `−3 %`, or `—`. */
export const changeText = (pct: number | null): string => (pct === null ? '—' : `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${Math.abs(pct).toLocaleString('en-US', { maximumFractionDigits: 1 })} %`);

/** Whether the change is for the worse (by any amount). */
export const worse = (f: BaselineFigure): boolean =>
  f.baseline !== null && f.current !== null && (f.better === 'higher' ? f.current < f.baseline : f.current > f.baseline);

/** The comparison as lines for the terminal: `p99 (ms): 41.2 → 45.9 (+11.4 %)`. */
export function baselineLines(comparison: BaselineComparison): string[] {
  const width = Math.max(...comparison.figures.map((f) => `${f.name} (${f.unit})`.length));
  return [
    `against the baseline ${comparison.path}${comparison.started_at ? ` (${comparison.started_at})` : ''}:`,
    ...(comparison.differs.length > 0 ? [`  set up differently: ${comparison.differs.join(', ')}`] : []),
    ...comparison.figures.map((f) => `  ${`${f.name} (${f.unit})`.padEnd(width)}  ${num(f.baseline)} → ${num(f.current)} (${changeText(f.change_pct)})`),
  ];
}

/** The baseline's percentiles as summary.json keeps them (50, 90, 99, 99.9 and the maximum), for the percentile plot. */
export function baselinePercentiles(baseline: SoakSummary): PercentilePoint[] {
  const l = baseline.latency_ms;
  const count = isNumber(l.count) && l.count > 0 ? l.count : 1;
  const points: [number, number | undefined][] = [
    [50, l.p50],
    [90, l.p90],
    [99, l.p99],
    [99.9, l.p999],
    [100, l.max],
  ];
  return points.filter((p): p is [number, number] => isNumber(p[1])).map(([percentile, latencyMs]) => ({ percentile, latencyMs, count }));
}
