import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, checkOneOf, checkWholeNumber } from '../core/index.ts';
import { parseBrokers } from '../adapters/kafka/options.ts';
import { Runtimes } from './spawn-pipeline.ts';
import type { Runtime } from './spawn-pipeline.ts';

export const Modes = ['alo', 'eos'] as const;
export type Mode = (typeof Modes)[number];

export const CompareTargets = ['raw'] as const;
export type CompareTarget = (typeof CompareTargets)[number];

export interface SoakOptions {
  readonly messages: number;
  readonly mode: Mode;
  readonly runtime: Runtime;
  /** Open loop: records per second on a fixed schedule; absent: maximum throughput. */
  readonly rate: number | undefined;
  readonly compare: CompareTarget | undefined;
  readonly out: string;
  /** Each phase fails when it has not finished by then. */
  readonly deadlineS: number;
  readonly partitions: number;
  readonly batchSize: number;
  readonly commitIntervalMs: number;
  readonly brokers: string[];
  /**
   * Write all N records before the process under test starts, so it drains a backlog without the producer competing
   * for CPU: its capacity. Latency then includes the wait in the backlog.
   */
  readonly preload: boolean;
  /** Rounds (raw loop then pipeline with --compare raw); throughputs are reported as medians over them. */
  readonly repeat: number;
  /** Run the process under test with --cpu-prof (Node), profiles into DIR/cpu-prof. */
  readonly cpuProf: boolean;
  /** Log level of the process under test. */
  readonly logLevel: LogLevel;
  /** Leave each phase's topics on the broker (by default they are deleted once the phase is verified). */
  readonly keepTopics: boolean;
}

export const LogLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LogLevels)[number];

export const usage = `Usage: npm run soak -- [--messages N] [--mode alo|eos] [--runtime node|bun] [--rate R] [--preload] [--compare raw] [--repeat K]
                        [--out DIR] [--deadline-s S] [--partitions P] [--batch-size B] [--commit-interval-ms MS]
                        [--brokers host:port,...] [--log-level LEVEL] [--cpu-prof] [--keep-topics]

Produces N unique ~1 KB JSON records into a fresh input topic, runs the pipeline as its own process (no-op
transform) and verifies the output topic with read_committed: lost, duplicated, out-of-order records and
end-to-end latency (HDR). Writes summary.json, latency.csv, plots (SVG, PNG) and report.html into DIR.

  --messages N            records to produce (default 1000000)
  --mode alo|eos          at-least-once (skip-and-log) or exactly-once (atomic) (default alo)
  --runtime node|bun      runtime of the pipeline process (default node)
  --rate R                open loop at R records/s, latency from the scheduled send time (default: max throughput)
  --preload               write all N records before the process starts (its capacity draining a backlog)
  --compare raw           also run the same workload through a hand-written @platformatic/kafka loop
  --repeat K              K rounds (raw, then pipeline, with --compare raw); medians reported (default 1)
  --out DIR               output directory (default soak/out/<mode>-<runtime>-<time>)
  --deadline-s S          fail a phase not done after S seconds (default 120 + N/2000, or 120 + 1.5 N/R)
  --partitions P          partitions of the input and output topics (default 6)
  --batch-size B          records per batch / transaction (default 1000)
  --commit-interval-ms MS longest a batch waits to fill (default 100)
  --brokers LIST          Kafka brokers (default KAFKA_BROKERS, then 127.0.0.1:9092)
  --cpu-prof              profile the processes under test (Node's --cpu-prof) into DIR/cpu-prof
  --log-level LEVEL       log level of the process under test: debug, info, warn, error (default warn)
  --keep-topics           keep each phase's input and output topics (default: deleted after the phase; a million
                          records leave about 2 GB per phase on the broker)

Exit status: 0 all records exactly once and in order; 1 lost, duplicated or out-of-order records; 2 bad usage;
3 a phase failed (deadline, process exit).`;

const whole = (flag: string, text: string | undefined, fallback: number, min = 1): number => {
  if (text === undefined) return fallback;
  return checkWholeNumber(flag, /^\d+$/.test(text) ? Number(text) : text, min);
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
export function resolveSoakOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, now = new Date()): SoakOptions | undefined {
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
        out: { type: 'string' },
        'deadline-s': { type: 'string' },
        partitions: { type: 'string' },
        'batch-size': { type: 'string' },
        'commit-interval-ms': { type: 'string' },
        brokers: { type: 'string' },
        'log-level': { type: 'string' },
        preload: { type: 'boolean' },
        repeat: { type: 'string' },
        'cpu-prof': { type: 'boolean' },
        'keep-topics': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ConfigError('arguments', (error as Error).message);
  }
  if (values.help) return undefined;
  const messages = whole('--messages', values.messages, 1_000_000);
  const mode = checkOneOf('--mode', values.mode ?? 'alo', Modes);
  const runtime = checkOneOf('--runtime', values.runtime ?? 'node', Runtimes);
  let rate: number | undefined;
  if (values.rate !== undefined) {
    rate = Number(values.rate);
    if (!(rate > 0) || !Number.isFinite(rate)) throw new ConfigError('--rate', `must be a number of records per second > 0; got ${JSON.stringify(values.rate)}`);
  }
  if (values.preload && rate !== undefined) throw new ConfigError('--preload', 'cannot be combined with --rate (open loop needs the producer running)');
  if (values['cpu-prof'] && runtime !== 'node') throw new ConfigError('--cpu-prof', 'needs --runtime node');
  const compare = values.compare === undefined ? undefined : checkOneOf('--compare', values.compare, CompareTargets);
  const defaultDeadline = rate === undefined ? 120 + Math.ceil(messages / 2_000) : 120 + Math.ceil((1.5 * messages) / rate);
  return {
    messages,
    mode,
    runtime,
    rate,
    compare,
    out: resolve(values.out ?? `soak/out/${mode}-${runtime}-${stamp(now)}`),
    deadlineS: whole('--deadline-s', values['deadline-s'], defaultDeadline),
    partitions: whole('--partitions', values.partitions, 6),
    batchSize: whole('--batch-size', values['batch-size'], 1_000),
    commitIntervalMs: whole('--commit-interval-ms', values['commit-interval-ms'], 100),
    brokers: brokersOf(values.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    preload: values.preload ?? false,
    repeat: whole('--repeat', values.repeat, 1),
    cpuProf: values['cpu-prof'] ?? false,
    logLevel: checkOneOf('--log-level', values['log-level'] ?? 'warn', LogLevels),
    keepTopics: values['keep-topics'] ?? false,
  };
}
