import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baselinePercentiles } from './baseline.ts';
import { lagCsv, lagPoints } from './lag-sampler.ts';
import type { PhaseResult } from './phase.ts';
import { loadPlots } from './optional-plots.ts';
import type { ProcessSample } from './process-metrics.ts';
import { reportHtml } from './report-html.ts';
import type { ReportPlots } from './report-html.ts';
import { summaryMarkdown } from './summary-md.ts';
import type { SoakSummary } from './summary.ts';

const processCsv = (samples: readonly ProcessSample[]): string =>
  [
    't_s,produced,consumed,rss_mb,event_loop_p99_ms',
    ...[...samples]
      .sort((a, b) => a.t - b.t)
      .map((s) => [s.t, s.produced, s.consumed, s.rssMb?.toFixed(1) ?? '', s.loopP99Ms?.toFixed(2) ?? ''].join(',')),
  ].join('\n') + '\n';

/**
 * Writes DIR/summary.json, summary.md, latency.csv (HdrHistogram percentile distribution, ms), process.csv, lag.csv,
 * the latency histogram, percentile, timeline and lag plots as SVG and PNG (when the plotting packages are installed:
 * optional-plots.ts), and report.html. With a reference phase (--compare: raw or alo), its own
 * raw-latency.csv, raw-process.csv and raw-lag.csv (alo-…), and both phases in the plots; with a floor phase, floor-latency.csv
 * and the floor in the latency plots (it has no process or lag); with a baseline, its percentiles in the percentile
 * plot. Returns the files written.
 */
export async function writeOutputs(
  dir: string,
  summary: SoakSummary,
  pipeline: PhaseResult,
  reference: PhaseResult | undefined,
  baseline?: SoakSummary,
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  floor?: PhaseResult,
): Promise<string[]> {
  const phases = reference ? [pipeline, reference] : [pipeline];
  const latencyPhases = floor ? [...phases, floor] : phases;
  const written: string[] = [];
  const write = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    written.push(name);
  };
  write('summary.json', `${JSON.stringify(summary, null, 2)}\n`);
  write('summary.md', summaryMarkdown(summary));
  for (const phase of latencyPhases) {
    const prefix = phase.name === 'pipeline' ? '' : `${phase.name}-`;
    write(`${prefix}latency.csv`, phase.histogram.percentileCsv());
    if (phase === floor) continue;
    write(`${prefix}process.csv`, processCsv(phase.samples));
    write(`${prefix}lag.csv`, lagCsv(phase.lag));
  }
  const plots = await loadPlots();
  if ('skipped' in plots) {
    say(`soak: plots skipped: ${plots.skipped}`);
    write('report.html', reportHtml(summary, plots));
    return written;
  }
  const { histogramSpec, lagSpec, latencyAxis, percentileSpec, pngOf, svgOf, timelineSpec } = plots;
  const axis = latencyAxis(summary.rate_msgs_per_s !== null);
  const percentiles = latencyPhases.map((p) => ({ phase: p.name as string, points: p.histogram.percentiles() }));
  if (baseline) percentiles.push({ phase: 'baseline', points: baselinePercentiles(baseline) });
  const what = `${summary.mode} on ${summary.runtime}, ${summary.messages.toLocaleString('en-US')} records${summary.rate_msgs_per_s ? ` at ${summary.rate_msgs_per_s.toLocaleString('en-US')}/s` : ''}`;
  const heading = summary.rate_msgs_per_s === null ? 'Time in the backlog' : 'Latency';
  const specs = {
    'latency-histogram': histogramSpec(latencyPhases.map((p) => ({ phase: p.name, points: p.histogram.buckets() })), `${heading} histogram (${what})`, axis),
    'latency-percentiles': percentileSpec(percentiles, `${heading} by percentile (${what})`, axis),
    'process-timeline': timelineSpec(phases.map((p) => ({ phase: p.name, points: p.samples })), `Process under test (${what})`),
    'lag-timeline': lagSpec(phases.map((p) => ({ phase: p.name, points: lagPoints(p.lag) })), `Lag on the input topic (${what})`),
  };
  const svgs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const svg = await svgOf(spec);
    svgs[name] = svg;
    write(`${name}.svg`, svg);
    write(`${name}.png`, pngOf(svg));
  }
  const drawn: ReportPlots = {
    histogram: svgs['latency-histogram'] ?? '',
    percentiles: svgs['latency-percentiles'] ?? '',
    timeline: svgs['process-timeline'] ?? '',
    lag: svgs['lag-timeline'] ?? '',
  };
  write('report.html', reportHtml(summary, drawn));
  return written;
}
