import { describe, expect, it } from 'vitest';
import { compareWithBaseline } from './baseline.ts';
import { SoakExit, exitStatus } from './exit-status.ts';
import { evaluateGates, gateLine } from './gates.ts';
import { resolveSoakOptions } from './options.ts';
import { summary } from './testing.ts';

const limitsOf = (...argv: string[]) => {
  const options = resolveSoakOptions(argv);
  if (!options) throw new Error('options');
  return options.gates;
};

const verdict = (g: { gate: string; figure: number | null; passed: boolean }) => [g.gate, g.figure, g.passed];

describe('soak gates', () => {
  it('checks lost and duplicated records (limit 0) even when no gate is set', () => {
    expect(evaluateGates(summary(), limitsOf()).map(verdict)).toEqual([
      ['--max-lost', 0, true],
      ['--max-duplicated', 0, true],
    ]);
    const lossy = summary({ lost: 2, all_phases: { lost: 3, duplicated: 1, out_of_order: 0, unknown: 0 } });
    expect(evaluateGates(lossy, limitsOf()).map(verdict)).toEqual([
      ['--max-lost', 3, false],
      ['--max-duplicated', 1, false],
    ]);
    expect(evaluateGates(lossy, limitsOf('--max-lost', '3', '--max-duplicated', '5')).every((g) => g.passed)).toBe(true);
  });

  it('compares each figure with its limit, at the limit passing', () => {
    // The fixture: p50 35, p99 90.5 ms, 25,000 records/s, RSS growth 5.6 %.
    const gates = evaluateGates(summary(), limitsOf('--max-p99-ms', '90.5', '--max-p50-ms', '30', '--min-throughput', '1e12', '--max-rss-growth-pct', '10'));
    expect(gates.map(verdict)).toEqual([
      ['--max-p99-ms', 90.5, true],
      ['--max-p50-ms', 35, false],
      ['--min-throughput', 25_000, false],
      ['--max-rss-growth-pct', 5.6, true],
      ['--max-lost', 0, true],
      ['--max-duplicated', 0, true],
    ]);
    expect(gateLine(gates[2] as (typeof gates)[number])).toBe('--min-throughput: throughput 25,000 records/s, limit ≥ 1,000,000,000,000 records/s');
  });

  it('fails a gate whose figure was not measured', () => {
    const [growth] = evaluateGates(summary({ rss_growth_pct: null }), limitsOf('--max-rss-growth-pct', '50'));
    expect(growth).toMatchObject({ gate: '--max-rss-growth-pct', figure: null, passed: false });
    expect(gateLine(growth as NonNullable<typeof growth>)).toBe('--max-rss-growth-pct: RSS growth after warm-up not measured, limit ≤ 50 %');
  });

  it('judges throughput by the median over rounds', () => {
    const [gate] = evaluateGates(summary({ throughput_msgs_per_s: 9_000, throughput_msgs_per_s_median: 12_000 }), limitsOf('--min-throughput', '10000'));
    expect(gate).toMatchObject({ figure: 12_000, passed: true });
  });

  it('names latency time in the backlog without --rate', () => {
    expect(evaluateGates(summary(), limitsOf('--max-p99-ms', '1'))[0]?.what).toBe('p99 time in the backlog');
    expect(evaluateGates(summary({ rate_msgs_per_s: 5_000 }), limitsOf('--max-p99-ms', '1'))[0]?.what).toBe('p99 latency');
  });

  it('gates regressions against the baseline: throughput down or p99 up by more than N %', () => {
    const baseline = summary();
    const slower = summary({ throughput_msgs_per_s: 20_000, latency_ms: { ...baseline.latency_ms, p99: 99.55 } });
    const comparison = compareWithBaseline(slower, baseline, 'base/summary.json');
    const limits = limitsOf('--baseline', 'base/summary.json', '--max-regression-pct', '15');
    expect(evaluateGates(slower, limits, comparison).filter((g) => g.gate === '--max-regression-pct').map((g) => [g.what, g.figure, g.passed])).toEqual([
      ['throughput drop against the baseline', 20, false],
      ['p99 time in the backlog rise against the baseline', 10, true],
    ]);
    const faster = summary({ throughput_msgs_per_s: 30_000 });
    expect(evaluateGates(faster, limits, compareWithBaseline(faster, baseline, 'b')).every((g) => g.passed)).toBe(true);
  });

  it('gates the pipeline / raw loop ratio', () => {
    const compared = summary({ compare: { raw_msgs_per_s: 30_000, pipeline_msgs_per_s: 24_000, ratio: 0.8, cpu_ratio: 0.9, raw: summary() } });
    const limits = limitsOf('--compare', 'raw', '--min-raw-ratio', '0.85');
    expect(evaluateGates(compared, limits).find((g) => g.gate === '--min-raw-ratio')).toMatchObject({ figure: 0.8, passed: false });
  });

  it('gates the exactly-once / at-least-once ratio, and fails it when no ratio was measured', () => {
    const compared = summary({ compare: { target: 'alo', alo_msgs_per_s: 30_000, pipeline_msgs_per_s: 28_800, ratio: 0.96, cpu_ratio: 0.9, alo: summary() } });
    const limits = limitsOf('--mode', 'eos', '--compare', 'alo', '--min-eos-ratio', '0.95');
    expect(evaluateGates(compared, limits).find((g) => g.gate === '--min-eos-ratio')).toMatchObject({ what: 'exactly-once / at-least-once throughput', figure: 0.96, passed: true });
    expect(evaluateGates(summary(), limits).find((g) => g.gate === '--min-eos-ratio')).toMatchObject({ figure: null, passed: false });
  });
});

describe('soak exit status', () => {
  const passed = { gate: '--max-lost', what: 'records lost', kind: 'max' as const, limit: 0, figure: 0, unit: 'records', passed: true };
  const failed = { ...passed, figure: 1, passed: false };
  const clean = { lost: 0, duplicated: 0, out_of_order: 0, unknown: 0 };

  it('is 0 when every gate passed, 4 when one failed', () => {
    expect(exitStatus(false, clean, [passed])).toBe(SoakExit.ok);
    expect(exitStatus(false, clean, [passed, failed])).toBe(4);
  });

  it('puts an unfinished phase before wrong records, and wrong records before gates', () => {
    expect(exitStatus(true, { ...clean, out_of_order: 1 }, [failed])).toBe(3);
    expect(exitStatus(false, { ...clean, out_of_order: 1 }, [failed])).toBe(1);
    expect(exitStatus(false, { ...clean, unknown: 2 }, [passed])).toBe(1);
  });
});
