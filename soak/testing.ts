// Summaries for the soak's unit tests: one finished eos run of 20,000 records, every record exactly once.
import type { PhaseFigures, SoakSummary } from './summary.ts';

export const phase: PhaseFigures = {
  produced: 20_000,
  consumed: 20_000,
  lost: 0,
  duplicated: 0,
  out_of_order: 0,
  unknown: 0,
  without_sent_at: 0,
  missing_sample: [],
  throughput_msgs_per_s: 25_000,
  verifier_msgs_per_s: 24_000,
  produce_msgs_per_s: 40_000,
  duration_s: 1.2,
  latency_ms: { count: 20_000, mean: 40, p50: 35, p90: 60, p99: 90.5, p999: 120, max: 130 },
  peak_rss_mb: 200,
  rss_after_warmup_mb: 180,
  rss_at_end_mb: 190,
  rss_growth_pct: 5.6,
  event_loop_delay_p99_ms: 20,
  event_loop_delay_p99_median_ms: 12,
  cpu_us_per_record: 35.5,
  max_lag: 5_000,
  lag_at_end: 0,
  input_topic: 'soak-in',
  output_topic: 'soak-out',
  group_id: 'g',
  entrypoint: 'runtime',
  command: 'node runtime-node/main.ts run --config <file>',
  exit_code: 0,
  exit_signal: null,
  failure: null,
};

export const summary = (overrides: Partial<SoakSummary> = {}): SoakSummary => ({
  ...phase,
  ok: true,
  mode: 'eos',
  failure_mode: 'atomic',
  runtime: 'node',
  messages: 20_000,
  rate_msgs_per_s: null,
  latency_from: 'send time',
  record_bytes: 1_024,
  partitions: 6,
  batch_size: 1_000,
  linger_ms: 2,
  commit_interval_ms: 100,
  versions: { orchestron: '0.1.0', runtime: 'node 24', '@platformatic/kafka': '2.12.1', kafka: '4.3.1' },
  started_at: '2026-01-01T00:00:00.000Z',
  finished_at: '2026-01-01T00:01:00.000Z',
  topics_kept: false,
  ...overrides,
});

/** Two rounds of --mode eos --compare alo, at-least-once first in the first. */
export const aloRounds: Partial<SoakSummary> = {
  throughput_msgs_per_s_median: 27_750,
  compare: { target: 'alo', alo_msgs_per_s: 29_000, pipeline_msgs_per_s: 27_750, ratio: 0.959, cpu_ratio: 0.875, alo: { ...phase, throughput_msgs_per_s: 30_000 } },
  rounds: [
    { first: 'alo', pipeline_msgs_per_s: 27_000, pipeline_p99_ms: 80, alo_msgs_per_s: 30_000, alo_p99_ms: 70, ratio: 0.9, cpu_ratio: 0.85 },
    { first: 'eos', pipeline_msgs_per_s: 28_500, pipeline_p99_ms: 81, alo_msgs_per_s: 28_000, alo_p99_ms: 72.5, ratio: 1.018, cpu_ratio: 0.9 },
  ],
};
