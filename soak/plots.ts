import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { Bucket, PercentilePoint } from './histogram.ts';
import type { LagPoint } from './lag-sampler.ts';
import type { ProcessSample } from './process-metrics.ts';

/** Points of one phase (pipeline, raw, alo), so two phases share a chart. */
export interface Series<T> {
  readonly phase: string;
  readonly points: readonly T[];
}

const config = { font: 'sans-serif' };

const palette: Record<string, string> = { pipeline: '#1f77b4', raw: '#ff7f0e', alo: '#2ca02c', floor: '#9467bd', baseline: '#7f7f7f' };

/** A colour per phase that is in the chart, and only those: no legend entry for a phase that did not run. */
const colors = (series: readonly Series<unknown>[]) => {
  const domain = [...new Set(series.map((s) => s.phase))];
  return { domain, range: domain.map((phase) => palette[phase] ?? '#2ca02c') };
};

/** Axis title of the latency figures: without --rate records wait in the topic from the start. */
export const latencyAxis = (openLoop: boolean): string => (openLoop ? 'end-to-end latency (ms)' : 'time in the backlog, send → output (ms)');

/** Latency on a log axis, records per bucket (log-spaced buckets). */
export function histogramSpec(series: readonly Series<Bucket>[], title: string, axis = latencyAxis(true)): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title,
    width: 640,
    height: 300,
    data: { values: series.flatMap((s) => s.points.filter((b) => b.count > 0).map((b) => ({ ...b, phase: s.phase }))) },
    mark: { type: 'rect', opacity: 0.6 },
    encoding: {
      x: { field: 'fromMs', type: 'quantitative', scale: { type: 'log' }, title: axis.replace(/\(ms\)$/, '(ms, log scale)') },
      x2: { field: 'toMs' },
      y: { field: 'count', type: 'quantitative', title: 'records', stack: null },
      color: { field: 'phase', type: 'nominal', scale: colors(series), title: null },
    },
  };
}

/**
 * HdrHistogram's percentile plot: x is 1/(1 − percentile) on a log axis, labelled as percentiles. A `baseline` series
 * (a previous run's few percentiles from its summary.json) is drawn beside this run's.
 */
export function percentileSpec(series: readonly Series<PercentilePoint>[], title: string, axis = latencyAxis(true)): TopLevelSpec {
  const values = series.flatMap((s) => {
    const total = s.points.at(-1)?.count ?? 1;
    return s.points.map((p) => ({ phase: s.phase, latencyMs: p.latencyMs, percentile: p.percentile, inverse: p.percentile >= 100 ? total : 1 / (1 - p.percentile / 100) }));
  });
  const top = Math.max(10, ...values.map((v) => v.inverse));
  const ticks = [1, 2, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000].filter((t) => t <= top * 10);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title,
    width: 640,
    height: 300,
    data: { values },
    mark: { type: 'line', point: { size: 12 }, interpolate: 'step-after' },
    encoding: {
      x: {
        field: 'inverse',
        type: 'quantitative',
        scale: { type: 'log', domain: [1, ticks.at(-1) as number] },
        axis: { values: ticks, labelExpr: "format(100 - 100 / datum.value, '.5~f') + '%'", grid: true },
        title: 'percentile',
      },
      y: { field: 'latencyMs', type: 'quantitative', title: axis },
      color: { field: 'phase', type: 'nominal', scale: colors(series), title: null },
    },
  };
}

/** Output rate, resident memory and event-loop delay p99 of the process under test, second by second. */
export function timelineSpec(series: readonly Series<ProcessSample>[], title: string): TopLevelSpec {
  const values = series.flatMap((s) =>
    s.points.map((p, i) => {
      const before = s.points[i - 1];
      const rate = before && p.t > before.t ? (p.consumed - before.consumed) / (p.t - before.t) : null;
      return { phase: s.phase, t: p.t, rate, rssMb: p.rssMb ?? null, loopP99Ms: p.loopP99Ms ?? null };
    }),
  );
  const panel = (field: string, label: string) => ({
    width: 640,
    height: 140,
    mark: { type: 'line' as const },
    encoding: {
      x: { field: 't', type: 'quantitative' as const, title: 'seconds' },
      y: { field, type: 'quantitative' as const, title: label },
      color: { field: 'phase', type: 'nominal' as const, scale: colors(series), title: null },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title,
    data: { values },
    vconcat: [panel('rate', 'records out / s'), panel('rssMb', 'RSS (MiB)'), panel('loopP99Ms', 'event-loop p99 (ms)')],
  };
}

/**
 * The group's lag on the input topic over time and, where the broker was asked for them (the raw loop), its committed
 * offsets against the topic's end offsets.
 */
export function lagSpec(series: readonly Series<LagPoint>[], title: string): TopLevelSpec {
  const lag = series.flatMap((s) => s.points.map((p) => ({ phase: s.phase, t: p.tS, lag: p.lag })));
  const offsets = series.flatMap((s) =>
    s.points.flatMap((p) =>
      p.end === undefined || p.committed === undefined
        ? []
        : [
            { phase: s.phase, t: p.tS, offset: p.end, of: 'end of topic' },
            { phase: s.phase, t: p.tS, offset: p.committed, of: 'committed' },
          ],
    ),
  );
  const x = { field: 't', type: 'quantitative' as const, title: 'seconds' };
  const color = { field: 'phase', type: 'nominal' as const, scale: colors(series), title: null };
  const lagPanel = {
    width: 640,
    height: 160,
    data: { values: lag },
    mark: { type: 'line' as const },
    encoding: { x, y: { field: 'lag', type: 'quantitative' as const, title: 'lag (records)' }, color },
  };
  const offsetsPanel = {
    width: 640,
    height: 160,
    data: { values: offsets },
    mark: { type: 'line' as const },
    encoding: {
      x,
      y: { field: 'offset', type: 'quantitative' as const, title: 'offsets, all partitions' },
      color,
      strokeDash: { field: 'of', type: 'nominal' as const, title: null },
      detail: { field: 'phase', type: 'nominal' as const },
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    title,
    vconcat: offsets.length > 0 ? [lagPanel, offsetsPanel] : [lagPanel],
  };
}

export async function svgOf(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterised at twice the SVG's size, on white. */
export function pngOf(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, sansSerifFamily: 'DejaVu Sans', defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
