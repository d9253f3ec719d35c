import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './histogram.ts';
import { resolveSoakOptions } from './options.ts';
import type { PhaseName, PhaseResult } from './phase.ts';
import { median, soakSummary } from './summary.ts';

const phase = (name: PhaseName, throughput: number, overrides: Partial<PhaseResult> = {}): PhaseResult => {
  const histogram = new LatencyHistogram();
  histogram.recordMs(1.5);
  return {
    name,
    entrypoint: name === 'raw' ? 'raw-loop' : 'runtime',
    command: ['node', `${name}.ts`],
    inputTopic: `${name}-in`,
    outputTopic: `${name}-out`,
    groupId: `${name}-g`,
    produced: 100,
    audit: { expected: 100, consumed: 100, duplicated: 0, outOfOrder: 0, unknown: 0, deadLettered: 0, filtered: 0, lost: 0 },
    missing: [],
    withoutSentAt: 0,
    throughput,
    verifierRate: throughput,
    produceRate: 50_000,
    durationS: 1,
    latency: histogram.summary(),
    histogram,
    producerAck: histogram.summary(),
    samples: [],
    lag: [],
    process: { peakRssMb: 150, rssGrowthPct: 2, rssAfterWarmupMb: 140, rssAtEndMb: 143, loopP99Ms: 15, loopP99MedianMs: 11, cpuUsPerRecord: name === 'raw' ? 30 : 40 },
    exit: { code: 0, signal: null },
    failure: undefined,
    ...overrides,
  };
};

const options = resolveSoakOptions(['--messages', '100', '--mode', 'eos', '--compare', 'raw', '--repeat', '3']);
if (!options) throw new Error('options');
const versions = { orchestron: '0.1.0', runtime: 'node 24.21.0', '@platformatic/kafka': '2.12.1', kafka: '4.3.1' };
const at = new Date('2026-01-01T00:00:00Z');

describe('soak summary', () => {
  it('takes medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it('reports the last pipeline phase at the top level and compares medians over the rounds', () => {
    const rounds = [
      { reference: phase('raw', 10_000), pipeline: phase('pipeline', 9_000) },
      { reference: phase('raw', 20_000), pipeline: phase('pipeline', 10_000) },
      { reference: phase('raw', 12_000), pipeline: phase('pipeline', 11_400) },
    ];
    const summary = soakSummary(options, rounds, versions, at, at);
    expect(summary).toMatchObject({
      ok: true,
      mode: 'eos',
      failure_mode: 'atomic',
      produced: 100,
      consumed: 100,
      lost: 0,
      duplicated: 0,
      out_of_order: 0,
      throughput_msgs_per_s: 11_400,
      throughput_msgs_per_s_median: 10_000,
      latency_ms: { p50: 1.5, p99: 1.5 },
      peak_rss_mb: 150,
      event_loop_delay_p99_ms: 15,
      input_topic: 'pipeline-in',
      output_topic: 'pipeline-out',
      versions,
    });
    expect(summary.rounds?.map((r) => r.ratio)).toEqual([0.9, 0.5, 0.95]);
    expect(summary.compare).toMatchObject({ target: 'raw', raw_msgs_per_s: 12_000, pipeline_msgs_per_s: 10_000, ratio: 0.9, cpu_ratio: 0.75 });
    expect(summary.rounds?.map((r) => r.first)).toEqual([undefined, undefined, undefined]);
    expect(summary.cpu_us_per_record).toBe(40);
    expect(summary).toMatchObject({ batch_size: 1_000, linger_ms: options.lingerMs, commit_interval_ms: options.commitIntervalMs });
    expect(summary.compare?.raw?.throughput_msgs_per_s).toBe(12_000);
  });

  it('reports the last round\'s floor beside the pipeline, each round\'s floor percentiles, and counts its records in every phase', () => {
    const floorLatency = new LatencyHistogram();
    floorLatency.recordMs(0.8);
    const floor = (overrides: Partial<PhaseResult> = {}) => phase('floor', 5_000, { entrypoint: 'none', command: [], histogram: floorLatency, latency: floorLatency.summary(), ...overrides });
    const rounds = [
      { floor: floor(), reference: phase('raw', 10_000), pipeline: phase('pipeline', 9_000) },
      { floor: floor(), reference: phase('raw', 10_000), pipeline: phase('pipeline', 9_000) },
    ];
    const summary = soakSummary(options, rounds, versions, at, at);
    expect(summary.floor).toMatchObject({ latency_ms: { p50: 0.8, p99: 0.8 }, entrypoint: 'none', throughput_msgs_per_s: 5_000 });
    expect(summary.rounds?.map((r) => [r.floor_p50_ms, r.floor_p99_ms])).toEqual([
      [0.8, 0.8],
      [0.8, 0.8],
    ]);
    expect(summary.latency_ms.p50).toBe(1.5);
    expect(summary.producer_ack_ms?.p50).toBe(1.5);
    const lossy = floor({ audit: { expected: 100, consumed: 99, duplicated: 0, outOfOrder: 0, unknown: 0, deadLettered: 0, filtered: 0, lost: 1 } });
    expect(soakSummary(options, [{ floor: lossy, reference: undefined, pipeline: phase('pipeline', 1) }], versions, at, at)).toMatchObject({ ok: false, all_phases: { lost: 1 } });
    expect(soakSummary(options, [{ reference: undefined, pipeline: phase('pipeline', 1) }], versions, at, at).floor).toBeUndefined();
  });

  it('compares exactly-once with at-least-once: per-round ratios eos / alo and alo / eos in CPU, which went first, and their medians', () => {
    const eosOptions = resolveSoakOptions(['--messages', '100', '--mode', 'eos', '--compare', 'alo', '--repeat', '3']);
    if (!eosOptions) throw new Error('options');
    const cpu = (cpuUsPerRecord: number) => ({ process: { ...phase('alo', 1).process, cpuUsPerRecord } });
    const rounds = [
      { reference: phase('alo', 10_000, cpu(30)), pipeline: phase('pipeline', 8_000, cpu(40)), referenceFirst: true },
      { reference: phase('alo', 12_000, cpu(33)), pipeline: phase('pipeline', 11_400, cpu(44)), referenceFirst: false },
      { reference: phase('alo', 9_000, cpu(36)), pipeline: phase('pipeline', 8_100, cpu(40)), referenceFirst: true },
    ];
    const summary = soakSummary(eosOptions, rounds, versions, at, at);
    expect(summary.rounds?.map((r) => [r.first, r.alo_msgs_per_s, r.pipeline_msgs_per_s, r.ratio, r.cpu_ratio])).toEqual([
      ['alo', 10_000, 8_000, 0.8, 0.75],
      ['eos', 12_000, 11_400, 0.95, 0.75],
      ['alo', 9_000, 8_100, 0.9, 0.9],
    ]);
    expect(summary.rounds?.[0]).not.toHaveProperty('raw_msgs_per_s');
    expect(summary.compare).toMatchObject({ target: 'alo', alo_msgs_per_s: 10_000, pipeline_msgs_per_s: 8_100, ratio: 0.9, cpu_ratio: 0.75 });
    expect(summary.compare).not.toHaveProperty('raw');
    expect(summary.compare?.alo?.throughput_msgs_per_s).toBe(9_000);
    expect(summary).toMatchObject({ mode: 'eos', throughput_msgs_per_s: 8_100, throughput_msgs_per_s_median: 8_100 });
    const lossy = phase('alo', 1, { audit: { expected: 100, consumed: 99, duplicated: 0, outOfOrder: 0, unknown: 0, deadLettered: 0, filtered: 0, lost: 1 } });
    expect(soakSummary(eosOptions, [{ reference: lossy, pipeline: phase('pipeline', 1), referenceFirst: true }], versions, at, at)).toMatchObject({ ok: false, all_phases: { lost: 1 } });
  });

  it('is not ok when any phase lost, duplicated or reordered a record, or did not finish', () => {
    const lossy = phase('raw', 1, { audit: { expected: 100, consumed: 99, duplicated: 0, outOfOrder: 0, unknown: 0, deadLettered: 0, filtered: 0, lost: 1 } });
    expect(soakSummary(options, [{ reference: lossy, pipeline: phase('pipeline', 1) }], versions, at, at).ok).toBe(false);
    const late = phase('pipeline', 1, { failure: 'deadline' });
    expect(soakSummary(options, [{ reference: undefined, pipeline: late }], versions, at, at)).toMatchObject({ ok: false, failure: 'deadline' });
    expect(soakSummary(options, [{ reference: undefined, pipeline: phase('pipeline', 1) }], versions, at, at).compare).toBeUndefined();
  });
});
