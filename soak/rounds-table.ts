import type { SoakSummary } from './summary.ts';
import { comparedPhase } from './summary.ts';

const num = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined ? '—' : value.toLocaleString('en-US', { maximumFractionDigits: digits });

/**
 * With --repeat, each round's figures as a table (plain text cells) for summary.md and report.html: the pipeline, the
 * phase it is measured against and their ratios with --compare (and which mode went first with --compare alo), the
 * floor with --floor. Undefined for a single round.
 */
export function roundsTable(summary: SoakSummary): { readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] } | undefined {
  const rounds = summary.rounds;
  if (!rounds) return undefined;
  const compared = comparedPhase(summary);
  const ordered = rounds.some((r) => r.first !== undefined);
  const [pipeline, reference] = compared?.names.short ?? ['pipeline', ''];
  const head = [
    'round',
    ...(ordered ? ['first'] : []),
    `${pipeline} records/s`,
    `${pipeline} p99 (ms)`,
    ...(compared ? [`${reference} records/s`, `${reference} p99 (ms)`, `${pipeline} / ${reference}`, `CPU ${reference} / ${pipeline}`] : []),
    ...(summary.floor ? ['floor p50 / p99 (ms)'] : []),
  ];
  const rows = rounds.map((r, i) => [
    String(i + 1),
    ...(ordered ? [r.first ?? '—'] : []),
    num(r.pipeline_msgs_per_s),
    num(r.pipeline_p99_ms, 1),
    ...(compared
      ? [num(r.alo_msgs_per_s ?? r.raw_msgs_per_s), num(r.alo_p99_ms ?? r.raw_p99_ms, 1), num(r.ratio, 3), num(r.cpu_ratio, 3)]
      : []),
    ...(summary.floor ? [`${num(r.floor_p50_ms, 1)} / ${num(r.floor_p99_ms, 1)}`] : []),
  ]);
  return { head, rows };
}
