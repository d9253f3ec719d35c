// Merges bench/out/results-<runtime>.json into bench/results.json and the core table of BENCHMARKS.md.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { Row } from './run.ts';

const out = new URL('./out/', import.meta.url);
const files = existsSync(out) ? readdirSync(out).filter((f) => /^results-.*\.json$/.test(f)) : [];
const rows: Row[] = files.flatMap((file) => JSON.parse(readFileSync(new URL(file, out), 'utf8')) as Row[]);
if (rows.length === 0) throw new Error('no benchmark results in bench/out/: run `npm run bench` first');

writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(rows, null, 2)}\n`);

const names = [...new Set(rows.map((row) => row.name))];
const find = (name: string, runtime: string) => rows.find((row) => row.name === name && row.runtime === runtime);
const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'));
const versions = [...new Set(rows.map((row) => `${row.runtime} ${row.runtimeVersion}`))].join(', ');
const table = [
  `Measured ${rows[0]?.date.slice(0, 10)} on ${versions}; records per second (batches of 500; pipelines over 10,000 records).`,
  '',
  '| benchmark | Node records/s | Bun records/s | Bun / Node |',
  '| --- | ---: | ---: | ---: |',
  ...names.map((name) => {
    const node = find(name, 'node');
    const bun = find(name, 'bun');
    const ratio = node && bun ? (bun.perSecond / node.perSecond).toFixed(2) : '—';
    return `| ${name} | ${fmt(node?.perSecond)} ±${node?.rme ?? '—'}% | ${fmt(bun?.perSecond)} ±${bun?.rme ?? '—'}% | ${ratio} |`;
  }),
].join('\n');

const doc = new URL('../BENCHMARKS.md', import.meta.url);
const start = '<!-- bench:core:start -->';
const end = '<!-- bench:core:end -->';
const text = readFileSync(doc, 'utf8');
const from = text.indexOf(start);
const to = text.indexOf(end);
if (from < 0 || to < 0) throw new Error(`BENCHMARKS.md needs the markers ${start} and ${end}`);
writeFileSync(doc, `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`);
console.log(`bench/results.json: ${rows.length} rows; BENCHMARKS.md table updated`);
