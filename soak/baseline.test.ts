import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baselineLines, baselinePercentiles, changeText, compareWithBaseline, readBaseline, worse } from './baseline.ts';
import { summary } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'orchestron-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('soak baseline', () => {
  it('reads a summary.json, or the directory holding one', () => {
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary()));
    expect(readBaseline(join(dir, 'summary.json')).throughput_msgs_per_s).toBe(25_000);
    expect(readBaseline(dir).latency_ms.p99).toBe(90.5);
  });

  it('names --baseline when the file is missing, not JSON or not a soak summary', () => {
    expect(() => readBaseline(join(dir, 'nope.json'))).toThrow(/^--baseline: cannot read .*nope\.json: no such file$/);
    writeFileSync(join(dir, 'bad.json'), '{"throughput');
    expect(() => readBaseline(join(dir, 'bad.json'))).toThrow(/^--baseline: cannot read .*bad\.json: /);
    writeFileSync(join(dir, 'other.json'), '{"name": "not a soak"}');
    expect(() => readBaseline(join(dir, 'other.json'))).toThrow(/--baseline: .*other\.json is not a soak summary\.json/);
  });

  it('puts each headline figure beside the baseline, with the change in %', () => {
    const base = summary();
    const current = summary({
      throughput_msgs_per_s: 20_000,
      latency_ms: { ...base.latency_ms, p50: 35, p99: 181, max: 130 },
      cpu_us_per_record: null,
      peak_rss_mb: 250,
      all_phases: { lost: 2, duplicated: 0, out_of_order: 0, unknown: 0 },
    });
    const comparison = compareWithBaseline(current, base, 'old/summary.json');
    expect(comparison).toMatchObject({ path: 'old/summary.json', mode: 'eos', runtime: 'node', messages: 20_000, started_at: '2026-01-01T00:00:00.000Z' });
    expect(comparison.differs).toEqual([]);
    const unlike = compareWithBaseline(summary({ mode: 'alo', messages: 3_000 }), base, 'old/summary.json');
    expect(unlike.differs).toEqual(['mode eos → alo', 'messages 20000 → 3000']);
    expect(baselineLines(unlike)[1]).toBe('  set up differently: mode eos → alo, messages 20000 → 3000');
    expect(comparison.figures.map((f) => [f.name, f.baseline, f.current, f.change_pct])).toEqual([
      ['throughput', 25_000, 20_000, -20],
      ['p50', 35, 35, 0],
      ['p99', 90.5, 181, 100],
      ['max', 130, 130, 0],
      ['CPU per record', 35.5, null, null],
      ['peak RSS', 200, 250, 25],
      ['RSS growth', 5.6, 5.6, 0],
      ['lost', 0, 2, null],
      ['duplicated', 0, 0, null],
    ]);
    expect(comparison.figures.filter(worse).map((f) => f.name)).toEqual(['throughput', 'p99', 'peak RSS', 'lost']);
    expect(baselineLines(comparison)).toContain('  throughput (records/s)  25,000 → 20,000 (−20 %)');
    expect([changeText(12.5), changeText(0), changeText(null)]).toEqual(['+12.5 %', '±0 %', '—']);
  });

  it('turns the baseline percentiles into points of the percentile plot', () => {
    expect(baselinePercentiles(summary())).toEqual([
      { percentile: 50, latencyMs: 35, count: 20_000 },
      { percentile: 90, latencyMs: 60, count: 20_000 },
      { percentile: 99, latencyMs: 90.5, count: 20_000 },
      { percentile: 99.9, latencyMs: 120, count: 20_000 },
      { percentile: 100, latencyMs: 130, count: 20_000 },
    ]);
  });
});
