import { changeText } from './baseline.ts';
import { exitMeaning } from './exit-status.ts';
import { latencyName, withUnit } from './gates.ts';
import { machineLine } from './machine.ts';
import { roundsTable } from './rounds-table.ts';
import type { PhaseFigures, SoakSummary } from './summary.ts';
import { comparedPhase, headlineThroughput, lingerText } from './summary.ts';

const num = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined ? '—' : value.toLocaleString('en-US', { maximumFractionDigits: digits });

/** Table cells must not break the table. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');

function figureRows(summary: SoakSummary, phases: readonly PhaseFigures[]): string[][] {
  const latency = latencyName(summary);
  const by = (pick: (f: PhaseFigures) => string) => phases.map(pick);
  const compared = comparedPhase(summary);
  // Medians over the rounds, for the pipeline and the phase it is compared with; the floor has no process: nothing committed.
  const throughput = (f: PhaseFigures) => (f === summary ? headlineThroughput(summary) : f === compared?.figures ? compared.msgsPerS : f.throughput_msgs_per_s);
  return [
    ['throughput (records/s committed)', ...by((f) => (f === summary.floor ? '—' : num(throughput(f))))],
    [`${latency} p50 / p99 / max (ms)`, ...by((f) => `${num(f.latency_ms.p50, 1)} / ${num(f.latency_ms.p99, 1)} / ${num(f.latency_ms.max, 1)}`)],
    ...(phases.some((f) => f.producer_ack_ms)
      ? [['of which in the producer (header → broker ack) p50 / p99 (ms)', ...by((f) => `${num(f.producer_ack_ms?.p50, 1)} / ${num(f.producer_ack_ms?.p99, 1)}`)]]
      : []),
    ['CPU per record (µs)', ...by((f) => num(f.cpu_us_per_record, 1))],
    ['peak RSS (MiB) / growth after warm-up (%)', ...by((f) => `${num(f.peak_rss_mb, 1)} / ${num(f.rss_growth_pct, 1)}`)],
    ['lost / duplicated / out of order', ...by((f) => `${num(f.lost)} / ${num(f.duplicated)} / ${num(f.out_of_order)}`)],
    ['highest lag on the input topic (records)', ...by((f) => num(f.max_lag))],
  ];
}

/**
 * summary.md: the verdict, every gate (limit, figure, pass or fail), the headline figures and, with --baseline, the
 * comparison; GitHub Markdown, ready to append to $GITHUB_STEP_SUMMARY.
 */
export function summaryMarkdown(summary: SoakSummary): string {
  const status = summary.exit_status ?? (summary.ok ? 0 : 1);
  const compared = comparedPhase(summary);
  const phases: PhaseFigures[] = [summary, ...(compared ? [compared.figures] : []), ...(summary.floor ? [summary.floor] : [])];
  const load = summary.rate_msgs_per_s
    ? `open loop at ${num(summary.rate_msgs_per_s)} records/s (latency from the scheduled send time)`
    : 'closed loop, as fast as possible (records wait in the topic from the start: the figures are time in the backlog, not latency)';
  const size = summary.records === undefined || summary.records === 'built-in records' ? ` of ${num(summary.record_bytes)} bytes` : '';
  const lines = [
    `## Soak: ${summary.mode} (${summary.failure_mode}) on ${summary.runtime}: ${exitMeaning(status)} (exit ${status})`,
    '',
    ...(summary.soaked ? [`Soaked: ${summary.soaked}; records: ${summary.records ?? 'built-in records'}.`, ''] : []),
    `${num(summary.messages)} records${size} over ${summary.partitions} partitions, ${load}; ` +
      `batches of ${num(summary.batch_size)}${lingerText(summary)}, commit interval ${summary.commit_interval_ms} ms.` +
      (summary.rounds ? ` ${summary.rounds.length} rounds: throughput is the median, the rest the last round's.` : ''),
    '',
  ];
  if (summary.dead_lettered || summary.filtered) {
    lines.push(`Accounted, not lost: ${num(summary.dead_lettered ?? 0)} dead-lettered, ${num(summary.filtered ?? 0)} filtered out by the pipeline.`, '');
  }
  if (summary.failure) lines.push(`**Did not finish:** ${summary.failure}`, '');
  if (compared?.figures.failure) lines.push(`**The ${compared.names.reference} phase did not finish:** ${compared.figures.failure}`, '');
  if (summary.floor?.failure) lines.push(`**The floor did not finish:** ${summary.floor.failure}`, '');
  if (summary.gates && summary.gates.length > 0) {
    lines.push(
      '### Gates',
      '',
      table(
        ['gate', 'what', 'limit', 'figure', 'result'],
        summary.gates.map((g) => [`\`${g.gate}\``, g.what, `${g.kind === 'max' ? '≤' : '≥'} ${withUnit(g.limit, g.unit)}`, withUnit(g.figure, g.unit), g.passed ? 'pass' : '**FAIL**']),
      ),
      '',
    );
  }
  const perRound = roundsTable(summary);
  if (perRound) lines.push('### Rounds', '', table(perRound.head, perRound.rows), '');
  lines.push(
    '### Figures',
    '',
    table(['figure', compared?.names.pipeline ?? 'pipeline', ...(compared ? [compared.names.reference] : []), ...(summary.floor ? ['floor (no process)'] : [])], figureRows(summary, phases)),
    '',
  );
  if (summary.floor) {
    const f = summary.floor.latency_ms;
    lines.push(
      `Soak floor: p50 ${num(f.p50, 1)} ms, p99 ${num(f.p99, 1)} ms, the ${latencyName(summary)} of the same records written straight into the topic the verifier reads, with no process in between; a process's figures are only meaningful above it.`,
      '',
    );
  }
  if (compared && summary.compare) {
    const [pipeline, reference] = compared.names.short;
    const how = summary.rounds ? ` (medians of the rounds' ratios${compared.target === 'alo' ? '; the two modes took turns to go first' : ''})` : '';
    lines.push(`${compared.names.ratio} throughput: **${summary.compare.ratio.toFixed(3)}**; CPU per record, ${reference} / ${pipeline}: ${num(summary.compare.cpu_ratio, 3)}${how}.`, '');
  }
  if (summary.baseline) {
    const b = summary.baseline;
    lines.push(
      '### Against the baseline',
      '',
      `\`${b.path}\`${b.started_at ? `, run ${b.started_at}` : ''}${b.mode ? ` (${b.mode} on ${b.runtime ?? '?'}, ${num(b.messages)} records)` : ''}.`,
      ...(b.differs && b.differs.length > 0 ? ['', `Set up differently: ${b.differs.join(', ')}.`] : []),
      '',
      table(
        ['figure', 'baseline', 'this run', 'change'],
        b.figures.map((f) => [`${f.name} (${f.unit})`, num(f.baseline, 2), num(f.current, 2), changeText(f.change_pct)]),
      ),
      '',
    );
  }
  const v = summary.versions;
  lines.push(
    `Orchestron ${v.orchestron}, ${v.runtime}, @platformatic/kafka ${v['@platformatic/kafka']}, Kafka ${v.kafka ?? 'unknown'}.` +
      (summary.machine ? ` Machine: ${machineLine(summary.machine)}.` : ''),
    '',
  );
  return lines.join('\n');
}
