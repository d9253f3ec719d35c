// Adds up what vitest (JSON report), bun test and deno test counted, and prints one closing line.
import { readFileSync, existsSync } from 'node:fs';

const [vitestJson, bunLog, denoLog, chaosJson] = process.argv.slice(2);
const strip = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');
const read = (file: string | undefined) => (file && existsSync(file) ? strip(readFileSync(file, 'utf8')) : '');
const count = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);

const rows: { runner: string; passed: number; failed: number }[] = [];
const vitest = read(vitestJson);
if (vitest) {
  const report = JSON.parse(vitest) as { numPassedTests: number; numFailedTests: number };
  rows.push({ runner: 'vitest (node)', passed: report.numPassedTests, failed: report.numFailedTests });
} else {
  rows.push({ runner: 'vitest (node)', passed: 0, failed: 1 });
}
if (chaosJson !== undefined) {
  const chaos = read(chaosJson);
  const report = chaos ? (JSON.parse(chaos) as { numPassedTests: number; numFailedTests: number }) : undefined;
  rows.push({ runner: 'chaos (short)', passed: report?.numPassedTests ?? 0, failed: report ? report.numFailedTests : 1 });
}
const bun = read(bunLog);
rows.push({ runner: 'bun test', passed: count(bun, /^\s*(\d+) pass$/m), failed: count(bun, /^\s*(\d+) fail$/m) || (bun ? 0 : 1) });
const deno = read(denoLog);
rows.push({ runner: 'deno test', passed: count(deno, /(\d+) passed/), failed: count(deno, /(\d+) failed/) || (deno ? 0 : 1) });

for (const row of rows) console.log(`  ${row.runner.padEnd(14)} ${row.passed} passed, ${row.failed} failed`);
const passed = rows.reduce((sum, row) => sum + row.passed, 0);
const failed = rows.reduce((sum, row) => sum + row.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || rows.some((row) => row.passed === 0) ? 1 : 0;
