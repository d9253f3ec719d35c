// `orchestron soak` as a user runs it: a scratch project with the package unpacked from the `npm pack` tarball, with its own config,
// transform and record generator (--config), and its own consumer built from the stages (--command). Small runs.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SoakSummary } from './summary.ts';
import { PlotPackages } from './optional-plots.ts';
import { installPackedPackage, linkPackage } from './testing/installed-package.ts';

const project = mkdtempSync(join(tmpdir(), 'orchestron-soak-user-'));
let bin: string;

beforeAll(async () => {
  const installed = await installPackedPackage(project);
  bin = join(installed, 'dist', 'runtime-node', 'main.js');
  const files: Record<string, string> = {
    'package.json': '{ "name": "my-service", "private": true, "type": "module" }\n',
    'its.yaml': [
      'transport: kafka',
      'topics: [orders]',
      'outputTopic: priced-orders',
      'failureMode: skip-and-log',
      'kafka: { groupId: my-service, batchSize: 500 }',
      'transform: { module: ./price.ts }',
      'http: { port: 8080 }',
      'log: { level: warn }',
      '',
    ].join('\n'),
    // Test orders are filtered out on purpose, negative amounts dead-lettered; the rest priced.
    'price.ts': `import { SKIP, ValidationError } from 'orchestron';
interface Order { readonly id: number; readonly amount: number; readonly test: boolean }
export default function price(order: Order) {
  if (order.test) return SKIP;
  if (order.amount < 0) throw new ValidationError(\`order \${order.id}: negative amount\`);
  return { ...order, cents: Math.round(order.amount * 100) };
}
`,
    // 1 in 50 a test order, 1 in 100 a negative amount: 40 filtered and 20 dead-lettered of 2,000.
    'its-generator.ts': `export default function order(index: number) {
  return {
    key: \`customer-\${index % 97}\`,
    value: { id: index, amount: index % 100 === 7 ? -1 : (index % 5000) / 100, test: index % 50 === 3 },
    headers: { 'content-type': 'application/json' },
  };
}
`,
    // The example consumer as a user has it: imports from the package.
    'consumer.ts': readFileSync(new URL('../examples/soak-consumer/consumer.ts', import.meta.url), 'utf8')
      .replace("'../../core/index.ts'", "'orchestron'")
      .replace("'../../adapters/kafka/index.ts'", "'orchestron/kafka'"),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
}, 300_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

/** `orchestron soak …` in the project: its exit status and stderr. */
const soak = (...args: string[]) =>
  new Promise<{ exitCode: number; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [bin, 'soak', ...args, '--partitions', '2', '--deadline-s', '90'], { cwd: project, timeout: 150_000 }, (error, _stdout, stderr) =>
      resolve({ exitCode: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
    child.stderr?.pipe(process.stderr);
  });

const summaryOf = (out: string) => JSON.parse(readFileSync(join(project, out, 'summary.json'), 'utf8')) as SoakSummary;
const markdownOf = (out: string) => readFileSync(join(project, out, 'summary.md'), 'utf8');

describe('orchestron soak from the installed package', () => {
  it("--config: soaks the project's own pipeline and records, accounts filtered and dead-lettered records, passes its gates without the plotting packages", async () => {
    const { exitCode, stderr } = await soak('--config', 'its.yaml', '--records', 'its-generator.ts', '--messages', '2000', '--max-lost', '0', '--max-p99-ms', '600000', '--out', 'config-pass');
    const summary = summaryOf('config-pass');
    expect({ exitCode, failure: summary.failure }).toEqual({ exitCode: 0, failure: null });
    expect(summary).toMatchObject({ produced: 2_000, consumed: 1_940, dead_lettered: 20, filtered: 40, lost: 0, duplicated: 0, out_of_order: 0, unknown: 0, entrypoint: 'runtime' });
    expect(summary.soaked).toBe(`config ${join(project, 'its.yaml')}`);
    expect(summary.gates?.map((g) => [g.gate, g.passed])).toEqual([
      ['--max-p99-ms', true],
      ['--max-lost', true],
      ['--max-duplicated', true],
    ]);
    expect(markdownOf('config-pass')).toContain('Accounted, not lost: 20 dead-lettered, 40 filtered out by the pipeline.');
    for (const file of ['latency.csv', 'lag.csv', 'process.csv', 'report.html']) expect(existsSync(join(project, 'config-pass', file)), file).toBe(true);
    expect(existsSync(join(project, 'config-pass', 'latency-percentiles.svg'))).toBe(false);
    expect(stderr).toMatch(new RegExp(`plots skipped: .*${PlotPackages.join(' ')}`));
    expect(readFileSync(join(project, 'config-pass', 'report.html'), 'utf8')).toContain('Plots skipped:');
  });

  it('--config: exits 4 when a gate is not met, and summary.md says which', async () => {
    const { exitCode } = await soak('--config', 'its.yaml', '--records', 'its-generator.ts', '--messages', '2000', '--max-lost', '0', '--min-throughput', '1e12', '--out', 'config-fail');
    expect(exitCode).toBe(4);
    const markdown = markdownOf('config-fail');
    expect(markdown).toMatch(/\| `--min-throughput` \| throughput \| .* \| \*\*FAIL\*\* \|/);
    expect(markdown).toMatch(/\| `--max-lost` \| records lost \| ≤ 0 records \| 0 records \| pass \|/);
  });

  it('--command: soaks the example consumer, carries the id header through produce and deadLetter, and draws the plots once their packages are installed', async () => {
    for (const name of PlotPackages) await linkPackage(project, name);
    const { exitCode } = await soak('--command', `${process.execPath} consumer.ts`, '--records', 'its-generator.ts', '--messages', '2000', '--max-lost', '0', '--max-duplicated', '0', '--out', 'command-pass');
    const summary = summaryOf('command-pass');
    expect({ exitCode, failure: summary.failure }).toEqual({ exitCode: 0, failure: null });
    // The example prices test orders too, and dead-letters negative amounts.
    expect(summary).toMatchObject({ produced: 2_000, consumed: 1_980, dead_lettered: 20, filtered: 0, lost: 0, duplicated: 0, runtime: 'command', entrypoint: 'command' });
    expect(summary.without_sent_at).toBe(0);
    expect(existsSync(join(project, 'command-pass', 'latency-percentiles.svg'))).toBe(true);
  });

  it('--command: exits 4 when a gate is not met', async () => {
    const { exitCode } = await soak('--command', `${process.execPath} consumer.ts`, '--records', 'its-generator.ts', '--messages', '2000', '--max-p50-ms', '0.001', '--out', 'command-fail');
    expect(exitCode).toBe(4);
    expect(markdownOf('command-fail')).toMatch(/\| `--max-p50-ms` \| .* \| \*\*FAIL\*\* \|/);
  });
});
