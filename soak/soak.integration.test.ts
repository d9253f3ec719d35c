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
const out = mkdtempSync(join(tmpdir(), 'orchestron-soak-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run soak', () => {
  it('moves 20,000 records exactly once through the pipeline process and the raw loop (eos), and writes the report', async () => {
    const exitCode = await new Promise<number | null>((resolve) => {
      const child = execFile(process.execPath, [cli, '--messages', '20000', '--mode', 'eos', '--compare', 'raw', '--out', out, '--deadline-s', '180'], (error) =>
        resolve(error ? ((error as { code?: number }).code ?? 1) : 0),
      );
      child.stderr?.pipe(process.stderr);
    });
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SoakSummary;
    expect({ exitCode, ok: summary.ok, failure: summary.failure }).toEqual({ exitCode: 0, ok: true, failure: null });
    expect(summary).toMatchObject({ produced: 20_000, consumed: 20_000, lost: 0, duplicated: 0, out_of_order: 0, mode: 'eos', runtime: 'node', entrypoint: 'runtime' });
    expect(summary.latency_ms.count).toBe(20_000);
    expect(summary.latency_ms.p50).toBeGreaterThan(0);
    expect(summary.latency_ms.p99).toBeGreaterThanOrEqual(summary.latency_ms.p50);
    expect(summary.throughput_msgs_per_s).toBeGreaterThan(0);
    expect(summary.peak_rss_mb).toBeGreaterThan(0);
    expect(summary.event_loop_delay_p99_ms).toBeGreaterThan(0);
    expect(summary.versions.orchestron).toMatch(/^\d+\.\d+\.\d+/);
    expect(summary.compare).toMatchObject({ raw: { consumed: 20_000, lost: 0, duplicated: 0 } });
    expect(summary.compare?.ratio).toBeGreaterThan(0);
    for (const file of ['latency.csv', 'raw-latency.csv', 'report.html', 'latency-histogram.svg', 'latency-histogram.png', 'latency-percentiles.svg', 'latency-percentiles.png']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Every record arrived exactly once, in order.');
    // Without --keep-topics the phases' topics are deleted once verified.
    const admin = new Admin({ clientId: 'soak-test', bootstrapBrokers: brokers });
    try {
      const topics = new Set(await admin.listTopics());
      expect([summary.input_topic, summary.output_topic].filter((topic) => topics.has(topic))).toEqual([]);
    } finally {
      await admin.close();
    }
  });
});
