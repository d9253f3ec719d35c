import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Admin } from '@platformatic/kafka';
import { brokers } from '../adapters/kafka/testing.ts';
import type { SoakSummary } from './summary.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'orchestron-soak-'));
const out = join(root, 'eos');

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the soak's CLI; its exit status and what it wrote on stderr. */
const soak = (...args: string[]) =>
  new Promise<{ exitCode: number; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [cli, ...args], (error, _stdout, stderr) =>
      resolve({ exitCode: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
    child.stderr?.pipe(process.stderr);
  });

const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SoakSummary;

describe('npm run soak', () => {
  it('moves 20,000 records exactly once through the pipeline process and the raw loop (eos), passes its gates and writes the report', async () => {
    const { exitCode } = await soak(
      ...['--messages', '20000', '--mode', 'eos', '--compare', 'raw', '--out', out, '--deadline-s', '180'],
      ...['--max-p99-ms', '600000', '--min-throughput', '1', '--min-raw-ratio', '0.001'],
    );
    const summary = summaryOf(out);
    expect({ exitCode, ok: summary.ok, failure: summary.failure, exit_status: summary.exit_status }).toEqual({ exitCode: 0, ok: true, failure: null, exit_status: 0 });
    expect(summary).toMatchObject({ produced: 20_000, consumed: 20_000, lost: 0, duplicated: 0, out_of_order: 0, mode: 'eos', runtime: 'node', entrypoint: 'runtime' });
    expect(summary.latency_ms.count).toBe(20_000);
    expect(summary.latency_ms.p50).toBeGreaterThan(0);
    expect(summary.latency_ms.p99).toBeGreaterThanOrEqual(summary.latency_ms.p50);
    expect(summary.throughput_msgs_per_s).toBeGreaterThan(0);
    expect(summary.peak_rss_mb).toBeGreaterThan(0);
    expect(summary.event_loop_delay_p99_ms).toBeGreaterThan(0);
    expect(summary.versions.orchestron).toMatch(/^\d+\.\d+\.\d+/);
    expect(summary.machine?.cores).toBeGreaterThan(0);
    expect(summary.machine?.load_average_end).toHaveLength(3);
    expect(summary.max_lag).toBeGreaterThan(0);
    expect(summary.compare).toMatchObject({ raw: { consumed: 20_000, lost: 0, duplicated: 0 } });
    expect(summary.compare?.ratio).toBeGreaterThan(0);
    expect(summary.gates?.map((g) => [g.gate, g.passed])).toEqual([
      ['--max-p99-ms', true],
      ['--min-throughput', true],
      ['--max-lost', true],
      ['--max-duplicated', true],
      ['--min-raw-ratio', true],
    ]);
    for (const file of ['latency.csv', 'raw-latency.csv', 'lag.csv', 'raw-lag.csv', 'summary.md', 'report.html', 'latency-percentiles.svg', 'latency-percentiles.png', 'lag-timeline.svg', 'lag-timeline.png']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(readFileSync(join(out, 'lag.csv'), 'utf8').split('\n').length).toBeGreaterThan(6);
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('Every record arrived exactly once, in order.');
    // Without --keep-topics the phases' topics are deleted once verified, and the report does not name them.
    expect(report).not.toContain(summary.input_topic);
    const admin = new Admin({ clientId: 'soak-test', bootstrapBrokers: brokers });
    try {
      const topics = new Set(await admin.listTopics());
      expect([summary.input_topic, summary.output_topic].filter((topic) => topics.has(topic))).toEqual([]);
    } finally {
      await admin.close();
    }
  });

  it('exits with the gate status when a gate cannot be met, names it in summary.md, and compares with the baseline', async () => {
    const dir = join(root, 'gated');
    const { exitCode, stderr } = await soak('--messages', '3000', '--mode', 'alo', '--out', dir, '--deadline-s', '120', '--baseline', join(out, 'summary.json'), '--min-throughput', '1e12');
    const summary = summaryOf(dir);
    expect({ exitCode, ok: summary.ok, exit_status: summary.exit_status }).toEqual({ exitCode: 4, ok: true, exit_status: 4 });
    expect(stderr).toContain('gate failed: --min-throughput: throughput');
    const markdown = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(markdown).toMatch(/\| `--min-throughput` \| throughput \| ≥ 1,000,000,000,000 records\/s \| [\d,]+ records\/s \| \*\*FAIL\*\* \|/);
    expect(markdown).toMatch(/\| `--max-lost` \| records lost \| ≤ 0 records \| 0 records \| pass \|/);
    expect(markdown).toContain('### Against the baseline');
    expect(summary.baseline?.figures.find((f) => f.name === 'throughput')?.baseline).toBeGreaterThan(0);
    const percentiles = readFileSync(join(dir, 'latency-percentiles.svg'), 'utf8');
    expect(percentiles).toContain('>baseline<');
    expect(percentiles).not.toContain('>raw<');
    expect(percentiles).toContain('time in the backlog');
  });

  it('measures its own floor with --floor: the producer straight into the topic the verifier reads, every record once', async () => {
    const dir = join(root, 'floor');
    const { exitCode, stderr } = await soak('--messages', '2000', '--rate', '1000', '--mode', 'alo', '--floor', '--out', dir, '--deadline-s', '120');
    const summary = summaryOf(dir);
    expect({ exitCode, ok: summary.ok, exit_status: summary.exit_status }).toEqual({ exitCode: 0, ok: true, exit_status: 0 });
    expect(summary.floor).toMatchObject({ produced: 2_000, consumed: 2_000, lost: 0, duplicated: 0, out_of_order: 0, entrypoint: 'none', failure: null });
    expect(summary.floor?.latency_ms.count).toBe(2_000);
    expect(summary.floor?.latency_ms.p50).toBeGreaterThan(0);
    expect(summary.floor?.producer_ack_ms?.count).toBe(2_000);
    expect(summary.producer_ack_ms?.count).toBe(2_000);
    expect(summary.consumed).toBe(2_000);
    expect(stderr).toMatch(/soak floor \(no process\): p50 [\d.]+ ms, p99 [\d.]+ ms/);
    expect(existsSync(join(dir, 'floor-latency.csv'))).toBe(true);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('| figure | pipeline | floor (no process) |');
    // Its topic is deleted with the phase's.
    const admin = new Admin({ clientId: 'soak-test', bootstrapBrokers: brokers });
    try {
      expect((await admin.listTopics()).includes(summary.floor?.input_topic ?? '')).toBe(false);
    } finally {
      await admin.close();
    }
  });

  it('measures exactly-once against at-least-once with --compare alo: both modes every round, taking turns to go first', async () => {
    const dir = join(root, 'eos-alo');
    const { exitCode, stderr } = await soak(
      ...['--messages', '2000', '--mode', 'eos', '--compare', 'alo', '--preload', '--repeat', '2', '--out', dir, '--deadline-s', '120', '--min-eos-ratio', '0.001'],
    );
    const summary = summaryOf(dir);
    expect({ exitCode, ok: summary.ok, exit_status: summary.exit_status }).toEqual({ exitCode: 0, ok: true, exit_status: 0 });
    const order = [...stderr.matchAll(/soak: pipeline on node, (alo|eos), 2,000 records \(round (\d) of 2\)/g)].map((m) => `${m[2]} ${m[1]}`);
    expect(order).toEqual(['1 alo', '1 eos', '2 eos', '2 alo']);
    expect(summary.rounds?.map((r) => r.first)).toEqual(['alo', 'eos']);
    for (const round of summary.rounds ?? []) {
      expect(round.alo_msgs_per_s).toBeGreaterThan(0);
      expect(round.ratio).toBeGreaterThan(0);
    }
    expect(summary).toMatchObject({ mode: 'eos', failure_mode: 'atomic', consumed: 2_000, lost: 0, duplicated: 0, out_of_order: 0 });
    expect(summary.compare).toMatchObject({ target: 'alo', alo: { consumed: 2_000, lost: 0, duplicated: 0, out_of_order: 0, failure: null } });
    expect(summary.compare?.ratio).toBeGreaterThan(0);
    expect(summary.compare).toHaveProperty('cpu_ratio');
    expect(summary.all_phases).toEqual({ lost: 0, duplicated: 0, out_of_order: 0, unknown: 0 });
    expect(summary.gates?.find((g) => g.gate === '--min-eos-ratio')?.passed).toBe(true);
    // The at-least-once phase is the same pipeline, skip-and-log; the pipeline phase is the exactly-once one.
    const configOf = (label: string) => JSON.parse(readFileSync(join(dir, `${label}.config.json`), 'utf8')) as { failureMode: string };
    expect(['alo', 'pipeline', 'alo-2', 'pipeline-2'].map((label) => configOf(label).failureMode)).toEqual(['skip-and-log', 'atomic', 'skip-and-log', 'atomic']);
    expect(stderr).toMatch(/eos \/ alo = [\d.]+; CPU per record alo \/ eos = ([\d.]+|not measured), medians of 2 rounds/);
    expect(existsSync(join(dir, 'alo-latency.csv'))).toBe(true);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('| round | first | eos records/s | eos p99 (ms) | alo records/s | alo p99 (ms) | eos / alo | CPU alo / eos |');
  });

  it('stops with the usage status, naming --baseline, when the baseline cannot be read', async () => {
    const { exitCode, stderr } = await soak('--messages', '10', '--out', join(root, 'none'), '--baseline', join(root, 'missing', 'summary.json'));
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/--baseline: cannot read .*missing.*summary\.json: no such file/);
  });
});
