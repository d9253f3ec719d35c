import hyperid from 'hyperid';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditCounts } from './audit.ts';
import { CommitWatcher, steadyRate } from './commit-watcher.ts';
import type { LatencyHistogram, LatencySummary } from './histogram.ts';
import { deleteTopics, ensureTopics, waitForGroup } from './kafka-admin.ts';
import { LagSampler } from './lag-sampler.ts';
import type { LagSample } from './lag-sampler.ts';
import type { SoakOptions } from './options.ts';
import { pipelineConfig } from './pipeline-config.ts';
import { openRecords } from './record-source.ts';
import { MetricsSampler, processFigures } from './process-metrics.ts';
import type { ProcessFigures, ProcessSample } from './process-metrics.ts';
import { SoakProducer } from './producer.ts';
import { LiveProgress } from './progress.ts';
import { freePort } from '../adapters/testing/free-port.ts';
import { pipelineEntrypoint, rawLoopEntrypoint, spawnCommand, spawnPipeline } from './spawn-pipeline.ts';
import type { Entrypoint, Exit, ProcessUnderTest } from './spawn-pipeline.ts';
import { soakConfigOf } from './user-config.ts';
import { Verifier } from './verifier.ts';

/**
 * `pipeline`: Orchestron with a no-op transform (or what --config / --command soak), in --mode; `raw`: the
 * hand-written @platformatic/kafka loop (raw-loop.ts); `alo`: the pipeline at-least-once, measured beside an
 * exactly-once `pipeline` (--compare alo); `floor`: no process, the producer writing straight into the topic the
 * verifier reads (floor.ts).
 */
export type PhaseName = 'pipeline' | 'raw' | 'alo' | 'floor';

/** How the process under test is started and stopped (soak:doctor wraps it). */
export interface PhaseHooks {
  readonly wrap?: (command: string[]) => string[];
  readonly stopSignal?: NodeJS.Signals;
  readonly stopTimeoutMs?: number;
  /** Ends the phase as unfinished (a signal to the soak). */
  readonly interrupt?: AbortSignal;
}

export interface PhaseResult {
  readonly name: PhaseName;
  readonly entrypoint: Entrypoint['kind'] | 'command' | 'none';
  readonly command: readonly string[];
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly groupId: string;
  readonly produced: number;
  readonly audit: AuditCounts;
  /** Up to 20 ids never seen. */
  readonly missing: readonly string[];
  readonly withoutSentAt: number;
  /**
   * Records per second the process committed (its group's input offsets, broker side) between 10 % and 90 % of N;
   * the verifier's rate when the run was too short to sample that.
   */
  readonly throughput: number;
  /** Records per second the verifier saw, from the first output record to the last. */
  readonly verifierRate: number;
  /** Records in per second, from the first send to the last acknowledgement. */
  readonly produceRate: number;
  /** From the first send to the last output record, in seconds. */
  readonly durationS: number;
  readonly latency: LatencySummary;
  readonly histogram: LatencyHistogram;
  /** From the send-time header to the broker's acknowledgement (producer.ts): the producer's share of the latency. */
  readonly producerAck: LatencySummary;
  readonly samples: readonly ProcessSample[];
  /**
   * Per partition over the run: the process's own `orchestron_consumer_lag` scraped every second, or for the raw loop
   * (and a command that does not report it) the input topic's end offsets and the group's committed offsets, every 500 ms.
   */
  readonly lag: readonly LagSample[];
  readonly process: ProcessFigures;
  readonly exit: Exit;
  /** Why the phase did not finish: deadline, process exit, producer failure. */
  readonly failure: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for both counts to reach N, the deadline, the process to exit or the producer to fail. */
async function completion(
  producer: SoakProducer,
  verifier: Verifier,
  sampler: MetricsSampler,
  produced: Promise<unknown>,
  exited: Promise<Exit>,
  deadline: number,
  interrupt: AbortSignal | undefined,
): Promise<string | undefined> {
  let failure: string | undefined;
  void produced.catch((error: unknown) => (failure ??= `producer failed: ${String(error)}`));
  void exited.then((exit) => (failure ??= `the process exited early (${exit.code ?? exit.signal})`));
  const n = producer.options.messages;
  while (!failure) {
    verifier.audit.filtered = sampler.filtered;
    if (interrupt?.aborted) return `interrupted (${String(interrupt.reason)})`;
    if (producer.produced >= n && verifier.audit.complete) return undefined;
    if (Date.now() > deadline) return `deadline: ${verifier.audit.consumed} of ${n} records consumed (${producer.produced} produced)`;
    await sleep(50);
  }
  return failure;
}

/** Unique run ids for topic and group names (letters, digits, '-' and '_': valid Kafka names). */
const runId = hyperid({ urlSafe: true });

/**
 * The process under test, started: the raw loop, the runtime with the built-in or the user's config (its topics,
 * group, instance id, brokers and port replaced), or the user's command with the soak's variables.
 */
async function startProcess(name: Exclude<PhaseName, 'floor'>, options: SoakOptions, hooks: PhaseHooks, label: string, wiring: Wiring): Promise<ProcessUnderTest> {
  const logFile = join(options.out, `${label}.log`);
  const env = {
    KAFKA_BROKERS: options.brokers.join(','),
    KAFKA_GROUP_ID: wiring.groupId,
    ORCHESTRON_INSTANCE_ID: wiring.instanceId,
    HTTP_PORT: String(wiring.port),
  };
  const target = name === 'raw' ? ({ kind: 'builtin' } as const) : options.target;
  if (target.kind === 'command') {
    return spawnCommand({
      argv: target.argv,
      port: wiring.port,
      logFile,
      ...(hooks.stopSignal ? { stopSignal: hooks.stopSignal } : {}),
      env: {
        ...env,
        ORCHESTRON_SOAK_INPUT_TOPIC: wiring.input,
        ORCHESTRON_SOAK_OUTPUT_TOPIC: wiring.output,
        ORCHESTRON_SOAK_DEAD_LETTER_TOPIC: wiring.deadLetter,
        ORCHESTRON_SOAK_GROUP: wiring.groupId,
        ORCHESTRON_SOAK_HTTP_PORT: String(wiring.port),
      },
    });
  }
  const config =
    target.kind === 'config'
      ? { ...soakConfigOf(target.config, { ...wiring, brokers: options.brokers }), ...(name === 'alo' ? { failureMode: 'skip-and-log' } : {}) }
      : { ...pipelineConfig({ ...options, ...wiring }), http: { port: wiring.port } };
  const configFile = join(options.out, `${label}.config.json`);
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const entrypoint = name === 'raw' ? rawLoopEntrypoint : pipelineEntrypoint(options.runtime);
  const runtimeArgs = options.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', join(options.out, 'cpu-prof'), '--cpu-prof-name', `${label}.cpuprofile`] : [];
  return spawnPipeline({ runtime: options.runtime, entrypoint, configFile, port: wiring.port, logFile, runtimeArgs, env, ...hooks });
}

/** A phase's fresh names and port. */
interface Wiring {
  readonly input: string;
  readonly output: string;
  readonly deadLetter: string;
  readonly groupId: string;
  readonly instanceId: string;
  readonly port: number;
}

/** What a phase's producer and verifier measured: the records' audit, the rates, latency and the producer's waits. */
export function deliveryFigures(producer: SoakProducer, verifier: Verifier) {
  const audit = verifier.audit.counts();
  const window = (verifier.lastAt ?? 0) - (verifier.firstAt ?? 0);
  const produceWindow = (producer.lastAckedAt ?? 0) - (producer.firstSentAt ?? 0);
  return {
    produced: producer.produced,
    audit,
    missing: audit.lost > 0 ? verifier.audit.missing() : [],
    withoutSentAt: verifier.withoutSentAt,
    verifierRate: window > 0 ? Math.round(((audit.consumed - 1) * 1000) / window) : 0,
    produceRate: produceWindow > 0 ? Math.round((producer.produced * 1000) / produceWindow) : 0,
    durationS: Math.round(((verifier.lastAt ?? 0) - (producer.firstSentAt ?? 0)) / 10) / 100,
    latency: verifier.latency.summary(),
    histogram: verifier.latency,
    producerAck: producer.ackLatency.summary(),
  };
}

/**
 * One measured run: fresh topics, the process under test, the producer and the verifier, until all N are through.
 * The `alo` phase is the pipeline with the mode at-least-once, everything else as the options say.
 */
export async function runPhase(name: Exclude<PhaseName, 'floor'>, soakOptions: SoakOptions, hooks: PhaseHooks = {}, round = 1): Promise<PhaseResult> {
  const options: SoakOptions = name === 'alo' ? { ...soakOptions, mode: 'alo' } : soakOptions;
  const label = round > 1 ? `${name}-${round}` : name;
  const messages = options.messages;
  const records = await openRecords(options.records, messages, options.partitions);
  const base = `soak-${options.mode}-${name}-${runId()}`;
  const topics = { input: `${base}-in`, output: `${base}-out` };
  // The default dead-letter topic of a config without one, so the built-in pipeline's dead letters are read too.
  const deadLetter = `${topics.input}-dlq`;
  await ensureTopics(options.brokers, [topics.input, topics.output, deadLetter].map((topic) => ({ name: topic, partitions: options.partitions })));
  const groupId = `${base}-group`;
  const wiring: Wiring = { ...topics, deadLetter, groupId, instanceId: `${base}-0`, port: await freePort() };
  const entrypoint = name === 'raw' ? 'raw-loop' : options.target.kind === 'command' ? 'command' : 'runtime';
  const deadline = Date.now() + options.deadlineS * 1000;
  const producer = new SoakProducer({ brokers: options.brokers, topic: topics.input, messages, partitions: options.partitions, records, ...(options.rate ? { rate: options.rate } : {}) });
  const stopProducing = new AbortController();
  const preloaded = options.preload ? producer.run(stopProducing.signal).then(() => producer.close()) : undefined;
  await preloaded;
  const proc = await startProcess(name, options, hooks, label, wiring);

  const verifier = new Verifier({ brokers: options.brokers, topic: topics.output, deadLetterTopic: deadLetter, groupId: `${base}-verifier`, messages, partitions: options.partitions });
  const progress = () => ({ produced: producer.produced, consumed: verifier.audit.consumed });
  const sampler = new MetricsSampler(proc.url, progress, topics.input);
  const commits = new CommitWatcher(options.brokers, groupId);
  // Orchestron reports its own lag; the raw loop does not, and a command may not: the broker is asked for theirs.
  const lag = entrypoint === 'runtime' ? undefined : new LagSampler(options.brokers, groupId, topics.input, options.partitions);
  const live = new LiveProgress(label, progress);
  let failure: string | undefined;
  let exit: Exit | undefined;
  try {
    await Promise.all([verifier.start(), waitForGroup(options.brokers, groupId, 60_000, proc.exited)]);
    sampler.start();
    commits.start();
    lag?.start();
    live.start();
    const produced = preloaded ?? producer.run(stopProducing.signal);
    failure = await completion(producer, verifier, sampler, produced, proc.exited, deadline, hooks.interrupt);
    stopProducing.abort();
    await produced.catch(() => {});
    // A moment more, for duplicates arriving after the last new record.
    if (!failure) await sleep(1_000);
    await Promise.all([sampler.scrape(), lag?.sample()]);
    verifier.audit.filtered = sampler.filtered;
  } catch (error) {
    failure ??= String(error);
  } finally {
    stopProducing.abort();
    sampler.stop();
    await Promise.all([commits.stop(), lag?.stop()]);
    live.stop();
    exit = await proc.stop(hooks.stopTimeoutMs ?? 30_000);
    if (exit.code !== 0) failure ??= `the process did not drain and exit 0 on ${hooks.stopSignal ?? 'SIGTERM'} (${exit.code ?? exit.signal})`;
    await Promise.allSettled([options.preload ? undefined : producer.close(), verifier.close()]);
    // Verified (or failed) by now; the topics would otherwise pile up gigabytes per run on the broker.
    if (!options.keepTopics) await deleteTopics(options.brokers, [topics.input, topics.output, deadLetter]).catch(() => {});
  }

  const delivery = deliveryFigures(producer, verifier);
  return {
    name,
    entrypoint,
    command: proc.command,
    inputTopic: topics.input,
    outputTopic: topics.output,
    groupId,
    ...delivery,
    throughput: steadyRate(commits.samples, messages) ?? delivery.verifierRate,
    samples: sampler.samples,
    lag: sampler.lag.length > 0 || !lag ? sampler.lag : lag.samples,
    process: processFigures(sampler.samples, messages),
    exit,
    failure,
  };
}
