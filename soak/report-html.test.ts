import { describe, expect, it } from 'vitest';
import { compareWithBaseline } from './baseline.ts';
import { reportHtml } from './report-html.ts';
import { aloRounds, phase, summary } from './testing.ts';

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

  it('puts at-least-once beside exactly-once with --compare alo: the medians, and each round with the mode that went first', () => {
    const html = reportHtml(summary(aloRounds), plots);
    for (const text of [
      '<th></th><th>exactly-once</th><th>at-least-once</th>',
      'Exactly-once / at-least-once throughput: <strong>0.959</strong> (27,750 / 29,000 records/s, medians over the rounds',
      'the two modes took turns to go first',
      'in CPU time per record, alo / eos: 0.875.',
      '<tr><th>round</th><th>first</th><th>eos records/s</th><th>eos p99 (ms)</th><th>alo records/s</th><th>alo p99 (ms)</th><th>eos / alo</th><th>CPU alo / eos</th></tr>',
      '<tr><td>1</td><td>alo</td><td>27,000</td><td>80</td><td>30,000</td><td>70</td><td>0.9</td><td>0.85</td></tr>',
      '<tr><td>2</td><td>eos</td><td>28,500</td>',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).not.toContain('raw loop');
  });

  it('puts the floor beside the pipeline, says what it is, and gives each round\'s', () => {
    const floor = { ...phase, latency_ms: { count: 20_000, mean: 3, p50: 2.5, p90: 4, p99: 7.5, p999: 9, max: 12 }, entrypoint: 'none', command: '', failure: 'deadline: 1 of 2' };
    const html = reportHtml(summary({ rate_msgs_per_s: 2_000, floor, rounds: [{ pipeline_msgs_per_s: 27_000, pipeline_p99_ms: 80, floor_p50_ms: 2.5, floor_p99_ms: 7.5 }] }), plots);
    expect(html).toContain('<th>floor (no process)</th>');
    expect(html).toContain('Soak floor: p50 2.5 ms, p99 7.5 ms, the latency of the same records');
    expect(html).toContain('<td>none (producer → verifier)</td>');
    expect(html).toContain('<td>2.5 / 7.5</td>');
    expect(reportHtml(summary({ ok: false, floor }), plots)).toContain('Failed: deadline: 1 of 2');
  });

  it('says what failed', () => {
    expect(reportHtml(summary({ ok: false, lost: 3 }), plots)).toContain('Failed: 3 lost, 0 duplicated, 0 out of order');
    expect(reportHtml(summary({ ok: false, failure: 'deadline: 5 of 20000' }), plots)).toContain('Failed: deadline: 5 of 20000');
  });

  it('lists the gates and the baseline, names the topics only when kept, and says what closed-loop latency is', () => {
    const base = summary();
    const html = reportHtml(
      summary({
        gates: [{ gate: '--max-p99-ms', what: 'p99 time in the backlog', kind: 'max', limit: 0, figure: 90.5, unit: 'ms', passed: false }],
        exit_status: 4,
        baseline: compareWithBaseline(summary({ throughput_msgs_per_s: 20_000 }), base, 'old/summary.json'),
      }),
      { ...plots, lag: '<svg id="l"></svg>' },
    );
    expect(html).toContain('<h2>Gates</h2>');
    expect(html).toContain('<td><code>--max-p99-ms</code></td><td>p99 time in the backlog</td><td>≤ 0 ms</td><td>90.5 ms</td><td class="fail">FAIL</td>');
    expect(html).toContain('Exit status 4: failed: a gate was not met.');
    expect(html).toContain('<h2>Against the baseline</h2>');
    expect(html).toContain('<td class="fail">−20 %</td>');
    expect(html).toContain('<svg id="l"></svg>');
    expect(html).toContain('time in the backlog p99 / p99.9 / max (ms)');
    expect(html).not.toContain('soak-in');
    expect(reportHtml(summary({ topics_kept: true }), plots)).toContain('<code>soak-in</code> → <code>soak-out</code>');
    expect(reportHtml(summary({ rate_msgs_per_s: 1_000 }), plots)).toContain('latency p99 / p99.9 / max (ms)');
  });
});
