import type { BaselineComparison } from './baseline.ts';
import type { SoakExitStatus } from './exit-status.ts';
import type { GateResult } from './gates.ts';
import type { LatencySummary } from './histogram.ts';
import { lagFigures, lagPoints } from './lag-sampler.ts';
import type { MachineFacts } from './machine.ts';
import type { CompareTarget, SoakOptions } from './options.ts';
import type { PhaseResult } from './phase.ts';
import { VALUE_BYTES } from './records.ts';
import type { Versions } from './versions.ts';

/** One phase's figures, as summary.json reports them (snake_case, milliseconds, MiB). */
export interface PhaseFigures {
  readonly produced: number;
  readonly consumed: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly out_of_order: number;
  /** Output records whose id is no id of this run. */
  readonly unknown: number;
  /** Records in the dead-letter topic (not in the output): accounted, not lost. Absent in older summaries. */
  readonly dead_lettered?: number;
  /** Records the process filtered out on purpose, by its orchestron_records_filtered_total. */
  readonly filtered?: number;
  /** First deliveries without the send-time header: not in the latency figures. */
  readonly without_sent_at: number;
  readonly missing_sample: readonly string[];
  /** Records per second the process committed between 10 % and 90 % of N (broker side). */
  readonly throughput_msgs_per_s: number;
  /** Output records per second as the verifier read them, first to last. */
  readonly verifier_msgs_per_s: number;
  /** Input records per second the producer achieved. */
  readonly produce_msgs_per_s: number;
  readonly duration_s: number;
  readonly latency_ms: LatencySummary;
  /**
   * From the send-time header to the broker's acknowledgement of the record's produce request: the producer's share of
   * latency_ms, at most. Absent in older summaries.
   */
  readonly producer_ack_ms?: LatencySummary;
  readonly peak_rss_mb: number | null;
  readonly rss_after_warmup_mb: number | null;
  readonly rss_at_end_mb: number | null;
  readonly rss_growth_pct: number | null;
  /** The highest per-second p99 of the process's event-loop delay after warm-up (prom-client's histogram). */
  readonly event_loop_delay_p99_ms: number | null;
  readonly event_loop_delay_p99_median_ms: number | null;
  /** CPU time of the process per record consumed (µs), from its process_cpu_seconds_total: steadier than rates on a busy machine. */
  readonly cpu_us_per_record: number | null;
  /** Highest total lag of the group on the input topic (end offsets − committed offsets, sampled), and the last. */
  readonly max_lag: number | null;
  readonly lag_at_end: number | null;
  /** Deleted after the phase unless `topics_kept`. */
  readonly input_topic: string;
  readonly output_topic: string;
  readonly group_id: string;
  readonly entrypoint: string;
  readonly command: string;
  readonly exit_code: number | null;
  readonly exit_signal: string | null;
  readonly failure: string | null;
}

/**
 * One round: the floor (with --floor), the phase the pipeline is measured against (with --compare: the raw loop, or
 * the pipeline at-least-once) and the pipeline.
 */
export interface Round {
  readonly floor?: PhaseResult | undefined;
  readonly reference?: PhaseResult | undefined;
  readonly pipeline: PhaseResult;
  /** Whether the reference ran before the pipeline (always for the raw loop; in odd rounds with --compare alo). */
  readonly referenceFirst?: boolean;
}

export interface RoundFigures {
  readonly pipeline_msgs_per_s: number;
  readonly pipeline_p99_ms: number;
  readonly raw_msgs_per_s?: number;
  readonly raw_p99_ms?: number;
  /** With --compare alo: the at-least-once pipeline's throughput and p99. */
  readonly alo_msgs_per_s?: number;
  readonly alo_p99_ms?: number;
  /** With --compare alo: which mode ran first in this round (they take turns). */
  readonly first?: 'alo' | 'eos';
  /** Pipeline / reference throughput: pipeline / raw, or eos / alo. */
  readonly ratio?: number;
  /** Reference / pipeline CPU per record: raw / pipeline, or alo / eos (above 1: the pipeline costs less). */
  readonly cpu_ratio?: number;
  readonly floor_p50_ms?: number;
  readonly floor_p99_ms?: number;
}

/** With --compare: the pipeline against the raw loop (`raw_*`) or against itself at-least-once (`alo_*`). */
export interface CompareFigures {
  /** Absent in summaries from before --compare alo: raw. */
  readonly target?: CompareTarget;
  /** Medians over the rounds. */
  readonly raw_msgs_per_s?: number;
  readonly alo_msgs_per_s?: number;
  readonly pipeline_msgs_per_s: number;
  /** pipeline / reference (raw, or eos / alo): the median of the rounds' ratios (each round's two phases ran back to back). */
  readonly ratio: number;
  /** Reference CPU per record / pipeline CPU per record, median over the rounds: the same comparison in CPU time. */
  readonly cpu_ratio: number | null;
  /** The last round's raw phase (--compare raw) or at-least-once phase (--compare alo). */
  readonly raw?: PhaseFigures;
  readonly alo?: PhaseFigures;
}

/** The figures at the top level are the last round's pipeline phase; throughputs over rounds are medians. */
export interface SoakSummary extends PhaseFigures {
  readonly ok: boolean;
  readonly mode: SoakOptions['mode'];
  readonly failure_mode: 'atomic' | 'skip-and-log';
  /** The runtime of the process under test; with --command, the runtime the command names is not known. */
  readonly runtime: SoakOptions['runtime'] | 'command';
  /** What was soaked: the built-in pipeline, `config <file>` or `command <program …>`; absent in older summaries. */
  readonly soaked?: string;
  /** What was sent: `built-in records`, `generator <module>` or `file <path>`. */
  readonly records?: string;
  readonly messages: number;
  readonly rate_msgs_per_s: number | null;
  /** What latency is measured from: the actual send time, or the scheduled one (open loop). */
  readonly latency_from: 'send time' | 'scheduled send time';
  readonly record_bytes: number;
  readonly partitions: number;
  readonly batch_size: number;
  /** Longest a batch waited for more records after its first; absent in summaries from before --linger-ms. */
  readonly linger_ms?: number;
  readonly commit_interval_ms: number;
  readonly versions: Versions;
  readonly started_at: string;
  readonly finished_at: string;
  /** Whether the phases' topics are still on the broker (--keep-topics). */
  readonly topics_kept: boolean;
  /** Lost, duplicated, out-of-order and unknown records summed over every phase of every round. */
  readonly all_phases?: RecordCounts;
  readonly machine?: MachineFacts;
  /** Every gate checked, with its limit and figure (gates.ts). */
  readonly gates?: readonly GateResult[];
  /** With --baseline: this run against that one. */
  readonly baseline?: BaselineComparison;
  /** The soak's own exit status (exit-status.ts). */
  readonly exit_status?: SoakExitStatus;
  /** With --repeat: each round's throughputs, and the median pipeline throughput. */
  readonly rounds?: readonly RoundFigures[];
  readonly throughput_msgs_per_s_median?: number;
  readonly compare?: CompareFigures;
  /**
   * With --floor: the last round's floor phase, the producer writing straight into the topic the verifier reads with
   * no process in between (no CPU, memory or lag figures; its throughput is the verifier's rate).
   */
  readonly floor?: PhaseFigures;
}

export interface RecordCounts {
  readonly lost: number;
  readonly duplicated: number;
  readonly out_of_order: number;
  readonly unknown: number;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

const ratioOf = (pipeline: number, raw: number): number => (raw > 0 ? Math.round((pipeline / raw) * 1000) / 1000 : 0);

/** The reference phase's own figures, under its name: `raw_msgs_per_s`, `raw_p99_ms` or `alo_…`, and with alo the order. */
const referenceFigures = (round: Round, reference: PhaseResult): Partial<RoundFigures> =>
  reference.name === 'alo'
    ? { alo_msgs_per_s: reference.throughput, alo_p99_ms: reference.latency.p99, first: round.referenceFirst === false ? 'eos' : 'alo' }
    : { raw_msgs_per_s: reference.throughput, raw_p99_ms: reference.latency.p99 };

const roundFigures = (round: Round): RoundFigures => ({
  pipeline_msgs_per_s: round.pipeline.throughput,
  pipeline_p99_ms: round.pipeline.latency.p99,
  ...(round.reference
    ? {
        ...referenceFigures(round, round.reference),
        ratio: ratioOf(round.pipeline.throughput, round.reference.throughput),
        ...(round.reference.process.cpuUsPerRecord && round.pipeline.process.cpuUsPerRecord
          ? { cpu_ratio: ratioOf(round.reference.process.cpuUsPerRecord, round.pipeline.process.cpuUsPerRecord) }
          : {}),
      }
    : {}),
  ...(round.floor ? { floor_p50_ms: round.floor.latency.p50, floor_p99_ms: round.floor.latency.p99 } : {}),
});

/** compare in summary.json: medians over the rounds that ran both phases, and the last round's reference phase. */
function compareFigures(rounds: readonly Round[], perRound: readonly RoundFigures[], reference: PhaseResult): CompareFigures {
  const compared = rounds.filter((r) => r.reference);
  const referenceRate = median(compared.map((r) => (r.reference as PhaseResult).throughput));
  const cpuRatios = perRound.flatMap((r) => (r.cpu_ratio === undefined ? [] : [r.cpu_ratio]));
  const target: CompareTarget = reference.name === 'alo' ? 'alo' : 'raw';
  return {
    target,
    ...(target === 'alo' ? { alo_msgs_per_s: referenceRate } : { raw_msgs_per_s: referenceRate }),
    pipeline_msgs_per_s: median(compared.map((r) => r.pipeline.throughput)),
    ratio: median(perRound.flatMap((r) => (r.ratio === undefined ? [] : [r.ratio]))),
    cpu_ratio: cpuRatios.length > 0 ? median(cpuRatios) : null,
    ...(target === 'alo' ? { alo: phaseFigures(reference) } : { raw: phaseFigures(reference) }),
  };
}

/** How the reports name the two sides of a comparison, long (tables, sentences) and short (the closing stderr line). */
export interface CompareNames {
  readonly pipeline: string;
  readonly reference: string;
  /** What `ratio` is, at the start of a sentence. */
  readonly ratio: string;
  readonly short: readonly [pipeline: string, reference: string];
}

export const compareNames: Readonly<Record<CompareTarget, CompareNames>> = {
  raw: { pipeline: 'pipeline', reference: 'raw loop', ratio: 'Pipeline / raw loop', short: ['pipeline', 'raw'] },
  alo: { pipeline: 'exactly-once', reference: 'at-least-once', ratio: 'Exactly-once / at-least-once', short: ['eos', 'alo'] },
};

/** The phase the pipeline was measured against: its last round's figures, median throughput and names. */
export interface ComparedPhase {
  readonly target: CompareTarget;
  readonly figures: PhaseFigures;
  readonly msgsPerS: number;
  readonly names: CompareNames;
}

/** Undefined without --compare. */
export function comparedPhase(summary: Pick<SoakSummary, 'compare'>): ComparedPhase | undefined {
  const compare = summary.compare;
  const target = compare?.target ?? 'raw';
  const figures = target === 'alo' ? compare?.alo : compare?.raw;
  const msgsPerS = target === 'alo' ? compare?.alo_msgs_per_s : compare?.raw_msgs_per_s;
  return figures && msgsPerS !== undefined ? { target, figures, msgsPerS, names: compareNames[target] } : undefined;
}

export const phaseFigures = (phase: PhaseResult): PhaseFigures => {
  const lag = lagFigures(lagPoints(phase.lag));
  return {
  produced: phase.produced,
  consumed: phase.audit.consumed,
  lost: phase.audit.lost,
  duplicated: phase.audit.duplicated,
  out_of_order: phase.audit.outOfOrder,
  unknown: phase.audit.unknown,
  dead_lettered: phase.audit.deadLettered,
  filtered: phase.audit.filtered,
  without_sent_at: phase.withoutSentAt,
  missing_sample: phase.missing,
  throughput_msgs_per_s: phase.throughput,
  verifier_msgs_per_s: phase.verifierRate,
  produce_msgs_per_s: phase.produceRate,
  duration_s: phase.durationS,
  latency_ms: phase.latency,
  producer_ack_ms: phase.producerAck,
  peak_rss_mb: phase.process.peakRssMb ?? null,
  rss_after_warmup_mb: phase.process.rssAfterWarmupMb ?? null,
  rss_at_end_mb: phase.process.rssAtEndMb ?? null,
  rss_growth_pct: phase.process.rssGrowthPct ?? null,
  event_loop_delay_p99_ms: phase.process.loopP99Ms ?? null,
  event_loop_delay_p99_median_ms: phase.process.loopP99MedianMs ?? null,
  cpu_us_per_record: phase.process.cpuUsPerRecord ?? null,
  max_lag: lag.maxLag ?? null,
  lag_at_end: lag.lagAtEnd ?? null,
  input_topic: phase.inputTopic,
  output_topic: phase.outputTopic,
  group_id: phase.groupId,
  entrypoint: phase.entrypoint,
  command: phase.command.join(' '),
  exit_code: phase.exit.code,
  exit_signal: phase.exit.signal,
  failure: phase.failure ?? null,
  };
};

/** Whether a phase moved every record exactly once, in order, and finished. */
export const phaseOk = (figures: PhaseFigures): boolean =>
  figures.failure === null && figures.lost === 0 && figures.duplicated === 0 && figures.out_of_order === 0 && figures.unknown === 0;

/** The figures a run is judged and compared by: throughput is the median over rounds with --repeat. */
/** ` lingering up to N ms` after the batch size in the reports; nothing for a summary from before --linger-ms. */
export const lingerText = (summary: SoakSummary): string => (summary.linger_ms === undefined ? '' : ` lingering up to ${summary.linger_ms} ms`);

export const headlineThroughput = (summary: SoakSummary): number => summary.throughput_msgs_per_s_median ?? summary.throughput_msgs_per_s;

/** Lost, duplicated, … over every phase; a summary.json from before `all_phases` existed has only its top level. */
export const allPhases = (summary: SoakSummary): RecordCounts => summary.all_phases ?? summary;

const soakedText = (target: SoakOptions['target']): string => {
  switch (target.kind) {
    case 'builtin':
      return 'built-in pipeline (no-op transform)';
    case 'config':
      return `config ${target.config.file}`;
    case 'command':
      return `command ${target.argv.join(' ')}`;
  }
};

export function soakSummary(options: SoakOptions, rounds: readonly Round[], versions: Versions, startedAt: Date, finishedAt: Date, machine?: MachineFacts): SoakSummary {
  const last = rounds.at(-1);
  if (!last) throw new Error('a soak summary needs at least one round');
  const all = rounds.flatMap((r) => [r.floor, r.reference, r.pipeline].filter((p): p is PhaseResult => p !== undefined)).map(phaseFigures);
  const figures = phaseFigures(last.pipeline);
  const perRound = rounds.map(roundFigures);
  return {
    ok: all.every(phaseOk),
    mode: options.mode,
    failure_mode: options.mode === 'eos' ? 'atomic' : 'skip-and-log',
    runtime: options.target.kind === 'command' ? 'command' : options.runtime,
    soaked: soakedText(options.target),
    records: options.records.kind === 'default' ? 'built-in records' : `${options.records.kind === 'module' ? 'generator' : 'file'} ${options.records.file}`,
    messages: options.messages,
    rate_msgs_per_s: options.rate ?? null,
    latency_from: options.rate ? 'scheduled send time' : 'send time',
    record_bytes: options.records.kind === 'default' ? VALUE_BYTES : 0,
    partitions: options.partitions,
    batch_size: options.batchSize,
    linger_ms: options.lingerMs,
    commit_interval_ms: options.commitIntervalMs,
    ...figures,
    versions,
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    topics_kept: options.keepTopics,
    all_phases: {
      lost: sum(all.map((f) => f.lost)),
      duplicated: sum(all.map((f) => f.duplicated)),
      out_of_order: sum(all.map((f) => f.out_of_order)),
      unknown: sum(all.map((f) => f.unknown)),
    },
    ...(machine ? { machine } : {}),
    ...(rounds.length > 1 ? { rounds: perRound, throughput_msgs_per_s_median: median(perRound.map((r) => r.pipeline_msgs_per_s)) } : {}),
    ...(last.reference ? { compare: compareFigures(rounds, perRound, last.reference) } : {}),
    ...(last.floor ? { floor: phaseFigures(last.floor) } : {}),
  };
}
