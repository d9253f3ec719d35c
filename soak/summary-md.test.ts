import { describe, expect, it } from 'vitest';
import { compareWithBaseline } from './baseline.ts';
import { evaluateGates } from './gates.ts';
import { resolveSoakOptions } from './options.ts';
import { summaryMarkdown } from './summary-md.ts';
import { aloRounds, summary } from './testing.ts';

const gatesOf = (...argv: string[]) => evaluateGates(summary(), resolveSoakOptions(argv)?.gates ?? { maxLost: 0, maxDuplicated: 0 });

describe('soak summary.md', () => {
  it('lists every gate with its limit, figure and result, and says the exit status', () => {
    const markdown = summaryMarkdown(summary({ gates: gatesOf('--max-p99-ms', '0', '--min-throughput', '1000'), exit_status: 4 }));
    expect(markdown).toContain('## Soak: eos (atomic) on node: failed: a gate was not met (exit 4)');
    expect(markdown).toContain(
      [
        '| gate | what | limit | figure | result |',
        '| --- | --- | --- | --- | --- |',
        '| `--max-p99-ms` | p99 time in the backlog | ≤ 0 ms | 90.5 ms | **FAIL** |',
        '| `--min-throughput` | throughput | ≥ 1,000 records/s | 25,000 records/s | pass |',
        '| `--max-lost` | records lost | ≤ 0 records | 0 records | pass |',
        '| `--max-duplicated` | records duplicated | ≤ 0 records | 0 records | pass |',
      ].join('\n'),
    );
  });

  it('has the headline figures, labelled time in the backlog without --rate, and no raw column without the raw loop', () => {
    const markdown = summaryMarkdown(summary({ exit_status: 0 }));
    expect(markdown).toContain('passed (exit 0)');
    expect(markdown).toContain('| figure | pipeline |');
    expect(markdown).not.toContain('raw loop');
    expect(markdown).toContain('| time in the backlog p50 / p99 / max (ms) | 35 / 90.5 / 130 |');
    expect(markdown).toContain('| throughput (records/s committed) | 25,000 |');
    expect(markdown).toContain('| highest lag on the input topic (records) | 5,000 |');
    expect(summaryMarkdown(summary({ rate_msgs_per_s: 5_000 }))).toContain('| latency p50 / p99 / max (ms) |');
  });

  it('names the batch size, the linger and the commit interval; a summary from before --linger-ms has no linger', () => {
    expect(summaryMarkdown(summary({ linger_ms: 5 }))).toContain('batches of 1,000 lingering up to 5 ms, commit interval 100 ms.');
    const { linger_ms: _, ...older } = summary();
    expect(summaryMarkdown(older)).toContain('batches of 1,000, commit interval 100 ms.');
  });

  it('puts the raw loop beside the pipeline and the baseline comparison below', () => {
    const base = summary();
    const current = summary({
      throughput_msgs_per_s: 30_000,
      compare: { raw_msgs_per_s: 40_000, pipeline_msgs_per_s: 30_000, ratio: 0.75, cpu_ratio: 0.8, raw: { ...base, throughput_msgs_per_s: 40_000 } },
    });
    const markdown = summaryMarkdown({ ...current, baseline: compareWithBaseline(current, base, 'soak/out/main/summary.json') });
    expect(markdown).toContain('| figure | pipeline | raw loop |');
    expect(markdown).toContain('| throughput (records/s committed) | 30,000 | 40,000 |');
    expect(markdown).toContain('Pipeline / raw loop throughput: **0.750**');
    expect(markdown).toContain('### Against the baseline');
    expect(markdown).toContain('| throughput (records/s) | 25,000 | 30,000 | +20 % |');
  });

  it('puts at-least-once beside exactly-once with --compare alo: each round, which mode went first, and the medians', () => {
    const markdown = summaryMarkdown(summary(aloRounds));
    expect(markdown).toContain('| figure | exactly-once | at-least-once |');
    expect(markdown).toContain('| throughput (records/s committed) | 27,750 | 29,000 |');
    expect(markdown).toContain(
      [
        '| round | first | eos records/s | eos p99 (ms) | alo records/s | alo p99 (ms) | eos / alo | CPU alo / eos |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        '| 1 | alo | 27,000 | 80 | 30,000 | 70 | 0.9 | 0.85 |',
        '| 2 | eos | 28,500 | 81 | 28,000 | 72.5 | 1.018 | 0.9 |',
      ].join('\n'),
    );
    expect(markdown).toContain("Exactly-once / at-least-once throughput: **0.959**; CPU per record, alo / eos: 0.875 (medians of the rounds' ratios; the two modes took turns to go first).");
    expect(markdown).not.toContain('raw');
  });

  it('puts the floor beside the pipeline, without a throughput, and says what it is', () => {
    const floor = { ...summary(), latency_ms: { count: 20_000, mean: 3, p50: 2.5, p90: 4, p99: 7.25, p999: 9, max: 12 }, cpu_us_per_record: null, max_lag: null, entrypoint: 'none', command: '' };
    const markdown = summaryMarkdown(summary({ rate_msgs_per_s: 2_000, floor, producer_ack_ms: { count: 20_000, mean: 2, p50: 1.5, p90: 2, p99: 4, p999: 5, max: 6 } }));
    expect(markdown).toContain('| figure | pipeline | floor (no process) |');
    expect(markdown).toContain('| throughput (records/s committed) | 25,000 | — |');
    expect(markdown).toContain('| latency p50 / p99 / max (ms) | 35 / 90.5 / 130 | 2.5 / 7.3 / 12 |');
    expect(markdown).toContain('| of which in the producer (header → broker ack) p50 / p99 (ms) | 1.5 / 4 | — / — |');
    expect(markdown).toContain('Soak floor: p50 2.5 ms, p99 7.3 ms, the latency of the same records written straight into the topic the verifier reads');
    expect(summaryMarkdown(summary())).not.toContain('floor');
  });

  it('says why a run did not finish', () => {
    const markdown = summaryMarkdown(summary({ ok: false, failure: 'deadline: 5 of 20000 | records', exit_status: 3 }));
    expect(markdown).toContain('failed: a phase did not finish (exit 3)');
    expect(markdown).toContain('**Did not finish:** deadline: 5 of 20000 | records');
  });
});
