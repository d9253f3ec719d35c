import { changeText, worse } from './baseline.ts';
import { exitMeaning } from './exit-status.ts';
import { latencyName, withUnit } from './gates.ts';
import { machineLine } from './machine.ts';
import { roundsTable } from './rounds-table.ts';
import type { PhaseFigures, SoakSummary } from './summary.ts';
import { comparedPhase, lingerText } from './summary.ts';

export interface ReportPlots {
  readonly histogram: string;
  readonly percentiles: string;
  readonly timeline: string;
  readonly lag?: string;
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const num = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined ? '—' : value.toLocaleString('en-US', { maximumFractionDigits: digits });

const row = (label: string, ...cells: string[]): string => `<tr><th>${escape(label)}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;

function figuresRows(summary: SoakSummary, phases: readonly PhaseFigures[]): string {
  const by = (pick: (f: PhaseFigures) => string) => phases.map(pick);
  const latency = latencyName(summary);
  return [
    row('produced', ...by((f) => num(f.produced))),
    row('consumed (distinct)', ...by((f) => num(f.consumed))),
    row('lost', ...by((f) => num(f.lost))),
    row('duplicated', ...by((f) => num(f.duplicated))),
    row('out of order', ...by((f) => num(f.out_of_order))),
    // The floor has no process: nothing committed.
    row('throughput (records/s committed, 10–90 %)', ...by((f) => (f === summary.floor ? '—' : num(f.throughput_msgs_per_s)))),
    row('verifier (records out/s seen)', ...by((f) => num(f.verifier_msgs_per_s))),
    row('producer (records in/s)', ...by((f) => num(f.produce_msgs_per_s))),
    row(`${latency} p50 / p90 (ms)`, ...by((f) => `${num(f.latency_ms.p50, 1)} / ${num(f.latency_ms.p90, 1)}`)),
    row(`${latency} p99 / p99.9 / max (ms)`, ...by((f) => `${num(f.latency_ms.p99, 1)} / ${num(f.latency_ms.p999, 1)} / ${num(f.latency_ms.max, 1)}`)),
    ...(phases.some((f) => f.producer_ack_ms)
      ? [row('of which in the producer (header → broker ack) p50 / p99 (ms)', ...by((f) => `${num(f.producer_ack_ms?.p50, 1)} / ${num(f.producer_ack_ms?.p99, 1)}`))]
      : []),
    row('CPU per record (µs)', ...by((f) => num(f.cpu_us_per_record, 1))),
    row('peak RSS (MiB)', ...by((f) => num(f.peak_rss_mb, 1))),
    row('RSS growth after warm-up (%)', ...by((f) => num(f.rss_growth_pct, 1))),
    row('event-loop delay p99, worst second / median second (ms)', ...by((f) => `${num(f.event_loop_delay_p99_ms, 1)} / ${num(f.event_loop_delay_p99_median_ms, 1)}`)),
    row('highest lag on the input topic (records)', ...by((f) => num(f.max_lag))),
    // Deleted topics cannot be looked at: named only when --keep-topics kept them.
    ...(summary.topics_kept ? [row('input → output topic (kept)', ...by((f) => `<code>${escape(f.input_topic)}</code> → <code>${escape(f.output_topic)}</code>`))] : []),
    row('process', ...by((f) => (f === summary.floor ? 'none (producer → verifier)' : `${escape(f.entrypoint)}: <code>${escape(f.command)}</code>`))),
    row('exit', ...by((f) => escape(f.failure ?? `code ${f.exit_code ?? '—'}${f.exit_signal ? `, ${f.exit_signal}` : ''}`))),
  ].join('\n');
}

function gatesTable(summary: SoakSummary): string {
  if (!summary.gates || summary.gates.length === 0) return '';
  const rows = summary.gates.map(
    (g) =>
      `<tr><td><code>${escape(g.gate)}</code></td><td>${escape(g.what)}</td><td>${escape(`${g.kind === 'max' ? '≤' : '≥'} ${withUnit(g.limit, g.unit)}`)}</td>` +
      `<td>${escape(withUnit(g.figure, g.unit))}</td><td class="${g.passed ? 'ok' : 'fail'}">${g.passed ? 'pass' : 'FAIL'}</td></tr>`,
  );
  return `<h2>Gates</h2>
<table>
<tr><th>gate</th><th>what</th><th>limit</th><th>figure</th><th>result</th></tr>
${rows.join('\n')}
</table>`;
}

function baselineTable(summary: SoakSummary): string {
  const b = summary.baseline;
  if (!b) return '';
  const rows = b.figures.map(
    (f) => `<tr><th>${escape(`${f.name} (${f.unit})`)}</th><td>${num(f.baseline, 2)}</td><td>${num(f.current, 2)}</td><td${worse(f) ? ' class="fail"' : ''}>${escape(changeText(f.change_pct))}</td></tr>`,
  );
  return `<h2>Against the baseline</h2>
<p><code>${escape(b.path)}</code>${b.started_at ? `, run ${escape(b.started_at)}` : ''}. Its percentiles are the grey line in the percentile plot.${b.differs && b.differs.length > 0 ? ` Set up differently: ${escape(b.differs.join(', '))}.` : ''}</p>
<table>
<tr><th></th><th>baseline</th><th>this run</th><th>change</th></tr>
${rows.join('\n')}
</table>`;
}

/** The plots with their captions. */
function figures(plots: ReportPlots, latency: string): string {
  return `<figure>${plots.percentiles}
<figcaption>Percentile plot: the ${latency} within which a share of the records arrived. Read the right-hand side:
99 % of records took at most the height of the line at "99%", and so on. A flat line that jumps at the end means a
few outliers; a line rising early means a slow pipeline overall.</figcaption></figure>
<figure>${plots.histogram}
<figcaption>Histogram of the ${latency}: records per bucket (log-spaced). In exactly-once mode records become visible only
when their batch's transaction commits, so expect the mass near the commit interval.</figcaption></figure>
<figure>${plots.timeline}
<figcaption>The process under test, second by second: records out per second (as the verifier saw them), resident
memory and the p99 of its event-loop delay over the previous second, from its /metrics.</figcaption></figure>
${
  plots.lag
    ? `<figure>${plots.lag}
<figcaption>Lag on the input topic, summed over the partitions (per partition in lag.csv): the process's own
orchestron_consumer_lag (last stable offset minus committed offset) every second, or for the raw loop the topic's end
offsets minus the offsets its group committed, every half second. Lag that stops falling while records are left is a
stall.</figcaption></figure>`
    : ''
}
`;
}

/** Plots not drawn: why, and what to install to get them. */
export interface SkippedPlots {
  readonly skipped: string;
}

/** One self-contained page: verdict, gates, figures (pipeline, the phase it is compared with and floor side by side), the baseline, the plots inline. */
export function reportHtml(summary: SoakSummary, plots: ReportPlots | SkippedPlots): string {
  const compared = comparedPhase(summary);
  const phases: PhaseFigures[] = [summary, ...(compared ? [compared.figures] : []), ...(summary.floor ? [summary.floor] : [])];
  const latency = latencyName(summary);
  const status = summary.exit_status;
  const gateVerdict = status === undefined ? '' : `<p class="${status === 0 ? 'ok' : 'fail'}">Exit status ${status}: ${escape(exitMeaning(status))}.</p>`;
  const headers = `<th></th><th>${escape(compared?.names.pipeline ?? 'pipeline')}</th>${compared ? `<th>${escape(compared.names.reference)}</th>` : ''}${summary.floor ? '<th>floor (no process)</th>' : ''}`;
  const verdict = summary.ok
    ? '<p class="ok">Every record arrived exactly once, in order.</p>'
    : `<p class="fail">Failed: ${escape(summary.failure ?? compared?.figures.failure ?? summary.floor?.failure ?? `${summary.lost} lost, ${summary.duplicated} duplicated, ${summary.out_of_order} out of order`)}</p>`;
  const [pipelineShort, referenceShort] = compared?.names.short ?? [];
  const compare = compared && summary.compare
    ? `<p>${escape(compared.names.ratio)} throughput: <strong>${summary.compare.ratio.toFixed(3)}</strong> (${num(summary.compare.pipeline_msgs_per_s)} / ${num(compared.msgsPerS)} records/s${summary.rounds ? ', medians over the rounds; the ratio is the median of the rounds\' ratios' : ''}${compared.target === 'alo' ? '; the two modes took turns to go first' : ''});
in CPU time per record, ${escape(`${referenceShort} / ${pipelineShort}`)}: ${num(summary.compare.cpu_ratio, 3)}.</p>`
    : '';
  const floor = summary.floor
    ? `<p>Soak floor: p50 ${num(summary.floor.latency_ms.p50, 1)} ms, p99 ${num(summary.floor.latency_ms.p99, 1)} ms, the ${escape(latency)} of the same records written straight
into the topic the verifier reads, with no process in between; a process's figures are only meaningful above it.</p>`
    : '';
  const perRound = roundsTable(summary);
  const rounds = perRound
    ? `<h2>Rounds</h2>
<table>
<tr>${perRound.head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>
${perRound.rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n')}
</table>
<p>The table below and the plots are the last round's.</p>`
    : '';
  const v = summary.versions;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Orchestron soak: ${escape(summary.mode)} on ${escape(summary.runtime)}, ${num(summary.messages)} records</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: top; }
td { font-variant-numeric: tabular-nums; }
code { font-size: 0.85em; }
.ok { color: #1a7f37; font-weight: bold; }
.fail { color: #cf222e; font-weight: bold; }
figure { margin: 1.5em 0; }
figcaption { color: #555; max-width: 800px; }
</style>
</head>
<body>
<h1>Soak: ${escape(summary.mode)} (${escape(summary.failure_mode)}) on ${escape(summary.runtime)}</h1>
${verdict}
<p>${summary.soaked ? `Soaked: ${escape(summary.soaked)}; records: ${escape(summary.records ?? 'built-in records')}.<br>` : ''}${num(summary.messages)} records${summary.record_bytes > 0 ? ` of ${num(summary.record_bytes)} bytes` : ''} over ${summary.partitions} partitions,
${summary.rate_msgs_per_s ? `open loop at ${num(summary.rate_msgs_per_s)} records/s (latency from the scheduled send time)` : 'closed loop, as fast as possible: records wait in the topic from the start, so the figures are time in the backlog (send → output), not the latency of one record'};
batches of ${num(summary.batch_size)}${lingerText(summary)}, commit interval ${summary.commit_interval_ms} ms.
Orchestron ${escape(v.orchestron)}, ${escape(v.runtime)}, @platformatic/kafka ${escape(v['@platformatic/kafka'])}, Kafka ${escape(v.kafka ?? 'unknown')}.
${escape(summary.started_at)} – ${escape(summary.finished_at)}.${summary.machine ? `<br>Machine: ${escape(machineLine(summary.machine))}.` : ''}</p>
${gateVerdict}
${gatesTable(summary)}
${compare}
${floor}
${rounds}
<table>
<tr>${headers}</tr>
${figuresRows(summary, phases)}
</table>
${baselineTable(summary)}
${"skipped" in plots ? `<p><strong>Plots skipped:</strong> ${escape(plots.skipped)}</p>
` : figures(plots, latency)}</body>
</html>
`;
}
