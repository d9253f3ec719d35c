import { describe, expect, it } from 'vitest';
import { reportHtml } from './report-html.ts';
import type { PhaseFigures, SoakSummary } from './summary.ts';

const phase: PhaseFigures = {
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

const summary = (overrides: Partial<SoakSummary> = {}): SoakSummary => ({
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
  commit_interval_ms: 100,
  versions: { orchestron: '0.1.0', runtime: 'node 24', '@platformatic/kafka': '2.12.1', kafka: '4.3.1' },
  started_at: '2026-01-01T00:00:00.000Z',
  finished_at: '2026-01-01T00:01:00.000Z',
  topics_kept: false,
  ...overrides,
});

const plots = { histogram: '<svg id="h"></svg>', percentiles: '<svg id="p"></svg>', timeline: '<svg id="t"></svg>' };

describe('soak report page', () => {
  it('shows the verdict, the figures and the three plots inline, escaping text', () => {
    const html = reportHtml(summary(), plots);
    expect(html).toContain('Every record arrived exactly once, in order.');
    expect(html).toContain('<td>25,000</td>');
    expect(html).toContain('90.5 / 120 / 130');
    expect(html).toContain('&lt;file&gt;');
    for (const id of ['h', 'p', 't']) expect(html).toContain(`<svg id="${id}"></svg>`);
  });

  it('puts the raw loop beside the pipeline, with the ratio and each round', () => {
    const html = reportHtml(
      summary({
        compare: { raw_msgs_per_s: 30_000, pipeline_msgs_per_s: 27_000, ratio: 0.9, cpu_ratio: 0.85, raw: { ...phase, throughput_msgs_per_s: 30_000 } },
        rounds: [{ pipeline_msgs_per_s: 27_000, pipeline_p99_ms: 80, raw_msgs_per_s: 30_000, raw_p99_ms: 70, ratio: 0.9 }],
      }),
      plots,
    );
    expect(html).toContain('<th>raw loop</th>');
    expect(html).toContain('<strong>0.900</strong>');
    expect(html).toContain('<td>30,000</td>');
    expect(html).toContain('<h2>Rounds</h2>');
    expect(html).toContain('raw / pipeline: 0.85');
  });

  it('says what failed', () => {
    expect(reportHtml(summary({ ok: false, lost: 3 }), plots)).toContain('Failed: 3 lost, 0 duplicated, 0 out of order');
    expect(reportHtml(summary({ ok: false, failure: 'deadline: 5 of 20000' }), plots)).toContain('Failed: deadline: 5 of 20000');
  });
});
