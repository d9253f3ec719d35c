import { hostname } from 'node:os';
import {
  commit,
  deadLetter,
  decode,
  dedup,
  named,
  pipeline,
  pipelineContext,
  produce,
  startSafeguard,
  systemClock,
  track,
  transform,
  messageOf,
} from '../../core/index.ts';
import type { BatchResult, Envelope, Metrics } from '../../core/index.ts';
import type { Env } from '../config/env.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { ReadinessReport } from '../http/app.ts';
import type { ServiceLogger } from '../logging.ts';
import { readinessOf } from './readiness.ts';
import { recordLog } from './record-log.ts';
import { openStores } from './stores.ts';
import { loadCodec, loadSchema, loadTransform } from './user-code.ts';
import { openTransport } from './transport.ts';
import { startTracing } from './tracing.ts';
import type { Transport } from './transport.ts';

/** A running pipeline built from a config: its results, its readiness, and how to stop it. */
export interface Service {
  readonly transport: Transport;
  readonly results: AsyncIterable<BatchResult>;
  readiness(): Promise<ReadinessReport>;
  /** Stops fetching; the batch in flight settles and `results` ends. */
  stop(): void;
  /** Closes clients and stores; Kafka clients are closed forcibly once `deadlineMs` has passed. */
  close(deadlineMs: number): Promise<void>;
}

export interface ServiceDeps {
  readonly env: Env;
  readonly logger: ServiceLogger;
  readonly metrics: Metrics;
}

const keyText = new TextDecoder();

/** source → [received] → decode → [dedup] → transform → [produce] → deadLetter → [track] → [record log] → commit. */
export async function startService({ config, baseDir }: LoadedConfig, deps: ServiceDeps): Promise<Service> {
  const { logger, metrics, env } = deps;
  const clock = systemClock;
  const tracing = await startTracing(config.tracing);
  const context = pipelineContext({
    failureMode: config.failureMode,
    platform: { clock, logger, metrics, tracer: tracing.tracer },
    consumerGroup: config.kafka.groupId,
    // The machine's host name, as the log lines carry it (pino's `hostname`), in the dead letters' source_host.
    host: hostname(),
    maxDeliveries: config.maxDeliveries,
    logPayloads: config.log.payloads,
  });
  const [fn, codec, schema] = await Promise.all([loadTransform(config, baseDir), loadCodec(config, baseDir), loadSchema(config, baseDir)]);
  const stores = await openStores(config, { logger, clock, metrics });
  let transport: Transport;
  try {
    transport = await openTransport(config, context, env, baseDir);
  } catch (error) {
    await Promise.allSettled([stores.close(), tracing.shutdown()]);
    throw error;
  }

  const tracking = stores.tracker
    ? track<unknown>(stores.tracker, {
        strategy: config.trackerStrategy,
        capturePayload: config.capturePayload,
        ...(stores.trackerBreaker ? { breaker: stores.trackerBreaker } : {}),
      })
    : undefined;
  const writesReceived = config.trackerStrategy === 'OUTBOX' || config.trackerStrategy === 'RELIABLE';
  const stopSafeguard =
    stores.tracker && writesReceived && config.safeguard.enabled
      ? startSafeguard(stores.tracker, { intervalMs: config.safeguard.intervalMs, olderThanMs: config.safeguard.staleAfterMs, clock, logger })
      : undefined;
  const recordKey = (record: Envelope<unknown>) => (record.key === null ? record.dedupKey : keyText.decode(record.key));

  const abort = new AbortController();
  const results = pipeline(
    transport.source(abort.signal),
    tracking && writesReceived ? named('track received', tracking.received) : undefined,
    named('decode', decode(codec, schema ? { schema } : {})),
    stores.dedup
      ? named('dedup', dedup<unknown>(stores.dedup, {
          ttlMs: config.dedup.ttlMs,
          ...(config.dedup.key === 'recordKey' ? { key: recordKey } : {}),
          ...(stores.dedupBreaker ? { breaker: stores.dedupBreaker } : {}),
        }))
      : undefined,
    named('transform', transform(fn, {
      concurrency: config.transform.concurrency,
      orderBy: config.transform.orderBy as 'key',
      timeoutMs: config.transform.timeoutMs,
      retry: { attempts: config.maxAttempts, initialDelayMs: config.retry.initialDelayMs, maxDelayMs: config.retry.maxDelayMs, jitter: config.retry.jitter },
    })),
    config.outputTopic ? named('produce', produce(transport.sink, { topic: config.outputTopic })) : undefined,
    named('dead letter', deadLetter(transport.sink, config.deadLetterTopic ? { topic: config.deadLetterTopic } : {})),
    tracking ? named('track', tracking) : undefined,
    config.log.records ? recordLog(logger, config.log.payloads) : undefined,
    commit(),
  );

  return {
    transport,
    results,
    readiness: readinessOf({ transport, stores, running: () => !abort.signal.aborted, clock, maxLag: config.kafka.readyMaxLag }),
    stop: () => abort.abort(),
    async close(deadlineMs) {
      abort.abort();
      stopSafeguard?.();
      await Promise.allSettled([transport.close(deadlineMs), stores.close()]);
      // After the transport: the spans of the last batches are ended by then.
      await tracing.shutdown().catch((error: unknown) => logger.warn({ error: messageOf(error) }, 'tracing: spans not exported at shutdown'));
    },
  };
}
