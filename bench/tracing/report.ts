// Reads the summaries bench/tracing/overhead.sh left in DIR and prints CPU per record by config: each round, the
// median, and the median's change against tracing off.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench/tracing/report.ts DIR');
const configs = ['off', 'sampled-1pct', 'sampled-100pct'] as const;
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
/** A soak's summary.json: its top-level figures are the pipeline phase's. */
interface Summary {
  readonly cpu_us_per_record: number | null;
  readonly throughput_msgs_per_s: number;
}
const perConfig = new Map<string, { cpu: number[]; rps: number[] }>();
for (const run of readdirSync(dir).sort()) {
  const config = configs.find((c) => run.startsWith(`${c}-`));
  // A phase that did not finish leaves no summary: it is left out (the soak said why).
  if (!config || !existsSync(join(dir, run, 'summary.json'))) continue;
  const summary = JSON.parse(readFileSync(join(dir, run, 'summary.json'), 'utf8')) as Summary;
  const entry = perConfig.get(config) ?? { cpu: [], rps: [] };
  if (summary.cpu_us_per_record !== null) entry.cpu.push(summary.cpu_us_per_record);
  entry.rps.push(summary.throughput_msgs_per_s);
  perConfig.set(config, entry);
}
const off = median(perConfig.get('off')?.cpu ?? [NaN]);
const lines = ['| tracing | CPU µs per record, rounds | median | vs off | throughput rec/s, median |', '| --- | --- | --- | --- | --- |'];
for (const config of configs) {
  const entry = perConfig.get(config);
  if (!entry) continue;
  const m = median(entry.cpu);
  const change = config === 'off' ? '—' : `${m >= off ? '+' : ''}${(((m - off) / off) * 100).toFixed(1)} %`;
  lines.push(`| ${config} | ${entry.cpu.map((v) => v.toFixed(1)).join(', ')} | ${m.toFixed(1)} | ${change} | ${entry.rps.length ? Math.round(median(entry.rps)) : '—'} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
