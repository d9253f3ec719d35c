import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, checkOneOf, checkWholeNumber } from '../core/index.ts';
import { kafkaDefaults, parseBrokers } from '../adapters/kafka/options.ts';
import { commandWords } from './command-words.ts';
import { readJsonLines } from './record-source.ts';
import type { RecordsSpec } from './record-source.ts';
import { Runtimes } from './spawn-pipeline.ts';
import type { Runtime } from './spawn-pipeline.ts';
import { readUserConfig } from './user-config.ts';
import type { UserConfig } from './user-config.ts';
import type { Env } from '../core/index.ts';

export const Modes = ['alo', 'eos'] as const;
export type Mode = (typeof Modes)[number];

/**
 * What the pipeline is measured against in each round: `raw`, the hand-written loop (raw-loop.ts), run first; `alo`,
 * the same pipeline at-least-once beside the exactly-once one (--mode eos), the two taking turns to go first.
 */
export const CompareTargets = ['raw', 'alo'] as const;
export type CompareTarget = (typeof CompareTargets)[number];

/** What is soaked: the built-in no-op pipeline, the user's `orchestron run` config, or a process the user starts. */
export type SoakTarget =
  | { readonly kind: 'builtin' }
  | { readonly kind: 'config'; readonly config: UserConfig }
  | { readonly kind: 'command'; readonly argv: readonly string[] };

export interface SoakOptions {
  readonly target: SoakTarget;
  /** The records sent: the built-in ~1 KB ones, a generator module, or a JSON-lines file. */
  readonly records: RecordsSpec;
  readonly messages: number;
  readonly mode: Mode;
  readonly runtime: Runtime;
  /** Open loop: records per second on a fixed schedule; absent: maximum throughput. */
  readonly rate: number | undefined;
  readonly compare: CompareTarget | undefined;
  /**
   * Each round first measures the soak's own floor (floor.ts): the same records at the same rate written straight into
   * the topic the verifier reads, no process in between; the latency a process that takes no time would show.
   */
  readonly floor: boolean;
  readonly out: string;
  /** Each phase fails when it has not finished by then. */
  readonly deadlineS: number;
  readonly partitions: number;
  readonly batchSize: number;
  /** Longest a batch waits for more records after its first (the pipeline's `kafka.lingerMs`). */
  readonly lingerMs: number;
  /** How often offsets (alo) or a transaction (eos) commit (the pipeline's `kafka.commitIntervalMs`). */
  readonly commitIntervalMs: number;
  readonly brokers: string[];
  /**
   * Write all N records before the process under test starts, so it drains a backlog without the producer competing
   * for CPU: its capacity. Latency then includes the wait in the backlog.
   */
  readonly preload: boolean;
  /** Rounds (raw loop then pipeline with --compare raw, alo and eos in turns with --compare alo); throughputs are reported as medians over them. */
  readonly repeat: number;
  /** Run the process under test with --cpu-prof (Node), profiles into DIR/cpu-prof. */
  readonly cpuProf: boolean;
  /** Log level of the process under test. */
  readonly logLevel: LogLevel;
  /** Leave each phase's topics on the broker (by default they are deleted once the phase is verified). */
  readonly keepTopics: boolean;
  /** A previous run's summary.json to compare with (and to measure --max-regression-pct against). */
  readonly baseline: string | undefined;
  readonly gates: GateLimits;
}

/** Limits the run must meet, or the soak exits with the gate status (gates.ts); absent: not checked. */
export interface GateLimits {
  readonly maxP99Ms?: number;
  readonly maxP50Ms?: number;
  /** Records per second committed (the median over rounds with --repeat). */
  readonly minThroughput?: number;
  readonly maxRssGrowthPct?: number;
  /** Records lost, over every phase of every round; 0 unless set. */
  readonly maxLost: number;
  /** Records delivered twice or more, over every phase of every round; 0 unless set. */
  readonly maxDuplicated: number;
  /** With --baseline: throughput down, or p99 up, by more than this %. */
  readonly maxRegressionPct?: number;
  /** With --compare raw: pipeline throughput / raw loop throughput at least this. */
  readonly minRawRatio?: number;
  /** With --compare alo: exactly-once throughput / at-least-once throughput at least this. */
  readonly minEosRatio?: number;
}

export const LogLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LogLevels)[number];

export const usage = `Usage: orchestron soak [--config FILE | --command "PROGRAM ARGS"] [--records MODULE | --from-file FILE]
                       [--messages N] [--mode alo|eos] [--runtime node|bun] [--rate R] [--preload] [--compare raw|alo] [--floor]
                       [--repeat K] [--out DIR] [--deadline-s S] [--partitions P] [--batch-size B] [--linger-ms MS]
                       [--commit-interval-ms MS] [--brokers host:port,...] [--log-level LEVEL] [--cpu-prof] [--keep-topics]
                       [--baseline DIR/summary.json] [gates: --max-p99-ms N --max-p50-ms N --min-throughput N
                       --max-rss-growth-pct N --max-lost N --max-duplicated N --max-regression-pct N --min-raw-ratio R --min-eos-ratio R]

(In a clone of the repository: npm run soak -- [flags].)

Produces N records into a fresh input topic, each with an x-soak-id header, runs the process under test and
verifies its output and dead-letter topics with read_committed: lost, duplicated, out-of-order, dead-lettered and
filtered records and end-to-end latency (HDR). Writes summary.json, summary.md, latency.csv, lag.csv, plots (SVG, PNG;
with the optional packages vega, vega-lite, @resvg/resvg-js) and report.html into DIR.

What is soaked (default: a pipeline with a no-op transform):
  --config FILE           your orchestron run config; the soak replaces only its topics, group and instance id,
                          brokers and HTTP port (fresh per phase); its failureMode sets the mode
  --command "P ARGS"      any process (no shell); it reads ORCHESTRON_SOAK_INPUT_TOPIC, ORCHESTRON_SOAK_OUTPUT_TOPIC,
                          ORCHESTRON_SOAK_DEAD_LETTER_TOPIC, ORCHESTRON_SOAK_GROUP and KAFKA_BROKERS, may serve
                          /metrics on ORCHESTRON_SOAK_HTTP_PORT, and drains and exits 0 on SIGTERM
What is sent (default: ~1 KB JSON orders keyed by their id):
  --records MODULE        a module whose default export is (index) => { key, value, headers } or a generator
                          function of such records
  --from-file FILE        JSON lines, { "key", "value", "headers" } or the value itself; repeated to reach N
                          (default N: the file's line count)

  --messages N            records to produce (default 1000000)
  --mode alo|eos          at-least-once (skip-and-log) or exactly-once (atomic) (default alo; not with --config)
  --runtime node|bun      runtime of the pipeline process (default node; not with --command)
  --rate R                open loop at R records/s, latency from the scheduled send time (default: max throughput)
  --preload               write all N records before the process starts (its capacity draining a backlog)
  --compare raw           also run the same workload through a hand-written @platformatic/kafka loop
  --compare alo           with --mode eos: also run the same pipeline at-least-once on the same workload, the two
                          modes taking turns to go first (alo first in odd rounds); ratios eos / alo per round
  --floor                 also measure the soak's own floor: the same records at the same rate written straight
                          into the topic the verifier reads, no process in between (latency below it is the soak's)
  --repeat K              K rounds, medians reported (default 1)
  --out DIR               output directory (default soak/out/<mode>-<runtime>-<time>)
  --deadline-s S          fail a phase not done after S seconds (default 120 + N/2000, or 120 + 1.5 N/R)
  --partitions P          partitions of the input and output topics (default 6)
  --batch-size B          most records per batch (default 1000)
  --linger-ms MS          longest a batch waits for more records after its first (default ${kafkaDefaults.lingerMs})
  --commit-interval-ms MS how often offsets (alo) or the transaction of the batches meanwhile (eos) commit
                          (default ${kafkaDefaults.commitIntervalMs})
  --brokers LIST          Kafka brokers (default KAFKA_BROKERS, then 127.0.0.1:9092)
  --cpu-prof              profile the processes under test (Node's --cpu-prof) into DIR/cpu-prof
  --log-level LEVEL       log level of the process under test: debug, info, warn, error (default warn)
  --keep-topics           keep each phase's input and output topics (default: deleted after the phase; a million
                          records leave about 2 GB per phase on the broker)
  --baseline FILE         a previous run's summary.json (or its directory): this run against it, in % (and plotted)

Gates (the run fails with exit status 4 when one is not met; each is listed in summary.md):
  --max-p99-ms N          p99 latency (time in the backlog without --rate) at most N ms
  --max-p50-ms N          p50 latency at most N ms
  --min-throughput N      committed records/s at least N (median over rounds with --repeat)
  --max-rss-growth-pct N  RSS growth after warm-up at most N %
  --max-lost N            records lost, all phases (default 0)
  --max-duplicated N      records duplicated, all phases (default 0)
  --max-regression-pct N  with --baseline: throughput down or p99 up by at most N %
  --min-raw-ratio R       with --compare raw: pipeline / raw loop throughput at least R
  --min-eos-ratio R       with --compare alo: exactly-once / at-least-once throughput at least R (median of rounds)

Exit status: 0 every record exactly once and in order (or within --max-lost/--max-duplicated) and every gate met;
1 out-of-order or unknown records; 2 bad usage (flags, --baseline unreadable); 3 a phase did not finish (deadline,
process exit, producer failure); 4 a gate failed.`;

const whole = (flag: string, text: string | undefined, fallback: number, min = 1): number => {
  if (text === undefined) return fallback;
  return checkWholeNumber(flag, /^\d+$/.test(text) ? Number(text) : text, min);
};

/** A gate's limit: a finite number ≥ `min` (1e12 is fine), or absent. */
const limit = (flag: string, text: string | undefined, min = 0): number | undefined => {
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value < min) throw new ConfigError(flag, `must be a number ≥ ${min}; got ${JSON.stringify(text)}`);
  return value;
};

const brokersOf = (text: string): string[] => {
  try {
    return parseBrokers(text);
  } catch (error) {
    throw new ConfigError('--brokers', (error as Error).message.replace(/^brokers: /, ''));
  }
};

const stamp = (date: Date): string => date.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');

/** The command line (and KAFKA_BROKERS), resolved and checked in one place; undefined for --help. */
export function resolveSoakOptions(argv: readonly string[], env: Env = {}, now = new Date()): SoakOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        messages: { type: 'string' },
        mode: { type: 'string' },
        runtime: { type: 'string' },
        rate: { type: 'string' },
        compare: { type: 'string' },
        floor: { type: 'boolean' },
        out: { type: 'string' },
        'deadline-s': { type: 'string' },
        partitions: { type: 'string' },
        'batch-size': { type: 'string' },
        'linger-ms': { type: 'string' },
        'commit-interval-ms': { type: 'string' },
        brokers: { type: 'string' },
        'log-level': { type: 'string' },
        preload: { type: 'boolean' },
        repeat: { type: 'string' },
        'cpu-prof': { type: 'boolean' },
        'keep-topics': { type: 'boolean' },
        baseline: { type: 'string' },
        'max-p99-ms': { type: 'string' },
        'max-p50-ms': { type: 'string' },
        'min-throughput': { type: 'string' },
        'max-rss-growth-pct': { type: 'string' },
        'max-lost': { type: 'string' },
        'max-duplicated': { type: 'string' },
        'max-regression-pct': { type: 'string' },
        'min-raw-ratio': { type: 'string' },
        'min-eos-ratio': { type: 'string' },
        config: { type: 'string' },
        command: { type: 'string' },
        records: { type: 'string' },
        'from-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ConfigError('arguments', (error as Error).message);
  }
  if (values.help) return undefined;
  if (values.config !== undefined && values.command !== undefined) throw new ConfigError('--config', 'cannot be combined with --command: soak one or the other');
  if (values.records !== undefined && values['from-file'] !== undefined) throw new ConfigError('--records', 'cannot be combined with --from-file');
  if (values.config !== undefined && values.mode !== undefined) throw new ConfigError('--mode', "cannot be combined with --config: the config's failureMode decides");
  if (values.command !== undefined && values.runtime !== undefined) throw new ConfigError('--runtime', 'cannot be combined with --command: the command names its runtime');
  if (values.command !== undefined && values['cpu-prof']) throw new ConfigError('--cpu-prof', 'cannot be combined with --command');
  const target: SoakTarget =
    values.config !== undefined
      ? { kind: 'config', config: readUserConfig(resolve(values.config), env) }
      : values.command !== undefined
        ? { kind: 'command', argv: commandWords(values.command) }
        : { kind: 'builtin' };
  const records: RecordsSpec =
    values.records !== undefined ? { kind: 'module', file: resolve(values.records) } : values['from-file'] !== undefined ? { kind: 'file', file: resolve(values['from-file']) } : { kind: 'default' };
  const fileLines = records.kind === 'file' && values.messages === undefined ? readJsonLines(records.file).length : undefined;
  const messages = whole('--messages', values.messages, fileLines ?? 1_000_000);
  const mode = target.kind === 'config' ? (target.config.failureMode === 'atomic' ? 'eos' : 'alo') : checkOneOf('--mode', values.mode ?? 'alo', Modes);
  const runtime = checkOneOf('--runtime', values.runtime ?? 'node', Runtimes);
  let rate: number | undefined;
  if (values.rate !== undefined) {
    rate = Number(values.rate);
    if (!(rate > 0) || !Number.isFinite(rate)) throw new ConfigError('--rate', `must be a number of records per second > 0; got ${JSON.stringify(values.rate)}`);
  }
  if (values.preload && rate !== undefined) throw new ConfigError('--preload', 'cannot be combined with --rate (open loop needs the producer running)');
  if (values['cpu-prof'] && runtime !== 'node') throw new ConfigError('--cpu-prof', 'needs --runtime node');
  const compare = values.compare === undefined ? undefined : checkOneOf('--compare', values.compare, CompareTargets);
  if (values.baseline === '') throw new ConfigError('--baseline', 'must name a previous run\'s summary.json');
  if (values['max-regression-pct'] !== undefined && values.baseline === undefined) throw new ConfigError('--max-regression-pct', 'needs --baseline (the run to compare with)');
  if (compare === 'alo' && target.kind === 'command') throw new ConfigError('--compare', 'alo cannot be combined with --command: the command decides its own mode');
  if (compare === 'alo' && mode !== 'eos') {
    throw new ConfigError('--compare', `alo needs --mode eos${target.kind === 'config' ? ' (a --config with failureMode atomic)' : ''}: it measures the exactly-once pipeline against the same pipeline at-least-once`);
  }
  if (values['min-raw-ratio'] !== undefined && compare !== 'raw') throw new ConfigError('--min-raw-ratio', 'needs --compare raw (the raw loop to compare with)');
  if (values['min-eos-ratio'] !== undefined && compare !== 'alo') throw new ConfigError('--min-eos-ratio', 'needs --compare alo (the at-least-once pipeline to compare with)');
  const optional = <T>(key: string, value: T | undefined): Record<string, T> => (value === undefined ? {} : { [key]: value });
  const gates: GateLimits = {
    ...optional('maxP99Ms', limit('--max-p99-ms', values['max-p99-ms'])),
    ...optional('maxP50Ms', limit('--max-p50-ms', values['max-p50-ms'])),
    ...optional('minThroughput', limit('--min-throughput', values['min-throughput'])),
    ...optional('maxRssGrowthPct', limit('--max-rss-growth-pct', values['max-rss-growth-pct'])),
    maxLost: whole('--max-lost', values['max-lost'], 0, 0),
    maxDuplicated: whole('--max-duplicated', values['max-duplicated'], 0, 0),
    ...optional('maxRegressionPct', limit('--max-regression-pct', values['max-regression-pct'])),
    ...optional('minRawRatio', limit('--min-raw-ratio', values['min-raw-ratio'])),
    ...optional('minEosRatio', limit('--min-eos-ratio', values['min-eos-ratio'])),
  };
  const defaultDeadline = rate === undefined ? 120 + Math.ceil(messages / 2_000) : 120 + Math.ceil((1.5 * messages) / rate);
  return {
    target,
    records,
    messages,
    mode,
    runtime,
    rate,
    compare,
    floor: values.floor ?? false,
    out: resolve(values.out ?? `soak/out/${mode}-${runtime}-${stamp(now)}`),
    deadlineS: whole('--deadline-s', values['deadline-s'], defaultDeadline),
    partitions: whole('--partitions', values.partitions, 6),
    batchSize: whole('--batch-size', values['batch-size'], 1_000),
    lingerMs: whole('--linger-ms', values['linger-ms'], kafkaDefaults.lingerMs, 0),
    commitIntervalMs: whole('--commit-interval-ms', values['commit-interval-ms'], kafkaDefaults.commitIntervalMs),
    brokers: brokersOf(values.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    preload: values.preload ?? false,
    repeat: whole('--repeat', values.repeat, 1),
    cpuProf: values['cpu-prof'] ?? false,
    logLevel: checkOneOf('--log-level', values['log-level'] ?? 'warn', LogLevels),
    keepTopics: values['keep-topics'] ?? false,
    baseline: values.baseline === undefined ? undefined : resolve(values.baseline),
    gates,
  };
}
