// The chaos worker's pipeline: Kafka in → (tracker RECEIVED) → decode → transform → produce → dead letters →
// (tracker final status) → commit, until `stop` aborts; then the batch in flight settles and the clients close.
import {
  MemoryMetrics,
  ProcessingError,
  commit,
  createMetrics,
  deadLetter,
  decode,
  json,
  named,
  pipeline,
  pipelineContext,
  produce,
  track,
  transform,
} from '../../core/index.ts';
import type { FailureTracker } from '../../core/index.ts';
import { KafkaTransport } from '../../adapters/kafka/transport.ts';
import type { ChaosEvent, ChaosOutput, ChaosWorkerConfig } from './config.ts';
import { openTracker, trackerBreaker } from './tracker.ts';

/** Writes one progress line. */
export type Say = (event: Record<string, unknown>) => void;

/** CPU time this process has used so far (user and system), in milliseconds. */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1000);
};

/** Runs the pipeline until `stop` aborts or it fails; resolves with the process exit code (0 drained, 3 fatal). */
export async function runWorker(config: ChaosWorkerConfig, stop: AbortSignal, say: Say): Promise<number> {
  const label = config.label ?? config.instanceId;
  const recorded = new MemoryMetrics();
  const context = pipelineContext({
    failureMode: config.failureMode,
    consumerGroup: config.group,
    host: config.instanceId,
    platform: {
      // No line per failed record: the batch lines carry the counts, and a line per bad record through the parent's
      // pipe is harness work that the poison scenario would otherwise measure as pipeline cost.
      logger: { debug() {}, info() {}, warn: (f, m) => m !== 'record failed' && say({ warn: m, ...f }), error: (f, m) => say({ error: m, ...f }) },
      metrics: createMetrics(recorded),
    },
  });

  let transport: KafkaTransport | undefined;
  let tracker: FailureTracker | undefined;
  let committed = 0;
  try {
    transport = new KafkaTransport({
      brokers: [...config.brokers],
      groupId: config.group,
      topics: [config.input],
      failureMode: config.failureMode,
      instanceId: config.instanceId,
      batchSize: config.batchSize ?? 200,
      ...(config.lingerMs !== undefined ? { lingerMs: config.lingerMs } : {}),
      commitIntervalMs: config.commitIntervalMs ?? 50,
      // The consumer protocol's session settings are the broker's (group.consumer.session.timeout.ms, 45 s by default).
      ...(config.groupProtocol === 'consumer'
        ? { groupProtocol: 'consumer' as const }
        : { sessionTimeoutMs: config.sessionTimeoutMs ?? 6_000, heartbeatIntervalMs: Math.floor((config.sessionTimeoutMs ?? 6_000) / 6) }),
      ...(config.staticMembership !== undefined ? { staticMembership: config.staticMembership } : {}),
      ...(config.rebalanceTimeoutMs ? { rebalanceTimeoutMs: config.rebalanceTimeoutMs } : {}),
      ...(config.fetchMaxBytes ? { fetchMaxBytes: config.fetchMaxBytes, fetchMaxBytesPerPartition: config.fetchMaxBytes } : {}),
      ...(config.sasl ? { sasl: config.sasl } : {}),
      context,
    });
    // Group membership as the client reports it, so that a worker that never commits shows where it stood.
    for (const event of ['consumer:group:join', 'consumer:group:leave', 'consumer:group:rebalance', 'consumer:rejoin', 'consumer:heartbeat:error', 'consumer:heartbeat:stalled']) {
      transport.consumer.on(event, () => say({ kafka: event, assigned: transport?.assignments().reduce((n, a) => n + a.partitions.length, 0) ?? 0 }));
    }
    tracker = config.tracker ? await openTracker(config.tracker) : undefined;
    const breaker = config.tracker ? trackerBreaker(config.tracker) : undefined;
    const tracking = tracker && config.tracker ? track(tracker, { strategy: config.tracker.strategy, ...(breaker ? { breaker } : {}) }) : undefined;
    breaker?.onStateChange((state) => say({ breaker: state }));

    const delay = config.delayMs ?? 0;
    const run = pipeline(
      transport.source(stop),
      tracking ? named('track received', tracking.received) : undefined,
      named('decode', decode(json<ChaosEvent>())),
      named('transform', transform(
        async (event: ChaosEvent, record): Promise<ChaosOutput> => {
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
          if (event.fail) throw new ProcessingError(`event ${event.id} cannot be processed`, { retryable: false });
          return { ...event, from: `${record.partition}:${record.offset}`, by: label, pid: process.pid, at: Date.now() };
        },
        { concurrency: config.concurrency, retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 50 } },
      )),
      named('produce', produce(transport.sink, { topic: config.output })),
      named('dead letter', deadLetter(transport.sink, config.deadLetterTopic ? { topic: config.deadLetterTopic } : {})),
      tracking ? named('track', tracking) : undefined,
      commit(),
    );
    say({ started: label });
    for await (const result of run) {
      if (result.committed) committed += result.ok + result.dropped['dead-lettered'];
      say({
        batch: result.id,
        committed: result.committed,
        total: committed,
        deadLettered: result.dropped['dead-lettered'],
        cpuMs: cpuMs(),
        ...(result.error ? { error: result.error.code, reason: result.error.message } : {}),
      });
    }
    await transport.close();
    say({
      exit: 'drained',
      total: committed,
      trackerSkipped: Object.fromEntries(
        ['received', 'succeeded', 'failed'].map((operation) => [operation, recorded.value('orchestron_tracker_skipped_total', { operation })]),
      ),
    });
    return 0;
  } catch (error) {
    say({ fatal: (error as { code?: string }).code ?? 'UNKNOWN', message: error instanceof Error ? error.message : String(error) });
    await transport?.close(2_000).catch(() => {});
    return 3;
  } finally {
    await tracker?.close().catch(() => {});
  }
}
