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
  retryReceived,
  retryTopicsOf,
  startSafeguard,
  systemClock,
  track,
  transform,
  messageOf,
} from '../../core/index.ts';
import type { BatchResult, Envelope, Metrics, PipelineContext } from '../../core/index.ts';
import type { Env } from '../config/env.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { ReadinessReport } from '../http/app.ts';
import type { ServiceLogger } from '../logging.ts';
import { mergeAsync } from './merge.ts';
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

/**
 * source → [received] → decode → [dedup] → transform → [produce] → deadLetter → [track] → [record log] → commit; with
 * retry topics, a second pipeline in the same process, the retry consumer: retry topics → retryReceived → [received] →
 * decode → transform → [produce] → deadLetter → [track] → [record log] → commit (see docs/retries.md).
 */
export async function startService({ config, baseDir }: LoadedConfig, deps: ServiceDeps): Promise<Service> {
  const { logger, metrics, env } = deps;
  const clock = systemClock;
  const tracing = await startTracing(config.tracing);
  const contextOf = (consumerGroup: string): PipelineContext =>
    pipelineContext({
      failureMode: config.failureMode,
      platform: { clock, logger, metrics, tracer: tracing.tracer },
      consumerGroup,
      // The machine's host name, as the log lines carry it (pino's `hostname`), in the dead letters' source_host.
      host: hostname(),
      maxDeliveries: config.maxDeliveries,
      logPayloads: config.log.payloads,
    });
  const context = contextOf(config.kafka.groupId);
  const retryTopics = config.retryTopics.enabled ? { delaysMs: config.retryTopics.delaysMs } : undefined;
  const retryGroup = `${config.kafka.groupId}-retry`;
  const [fn, codec, schema] = await Promise.all([loadTransform(config, baseDir), loadCodec(config, baseDir), loadSchema(config, baseDir)]);
  const stores = await openStores(config, { logger, clock, metrics });
  let transport: Transport;
  let retryTransport: Transport | undefined;
  try {
    transport = await openTransport(config, context, env, baseDir);
    if (retryTopics) {
      if (config.retryTopics.autoCreateTopics && transport.createTopicsLike) {
        const wanted = config.topics.flatMap((like) => retryTopicsOf(like, retryTopics).map((name) => ({ name, like })));
        const created = await transport.createTopicsLike(wanted).catch(async (error: unknown) => {
          await transport.close(0);
          throw error;
        });
        if (created.length > 0) logger.info({ topics: created }, 'retry topics created');
      }
      const retryConfig = { ...config, topics: config.topics.flatMap((topic) => retryTopicsOf(topic, retryTopics)), kafka: { ...config.kafka, groupId: retryGroup } };
      retryTransport = await openTransport(retryConfig, contextOf(retryGroup), env, baseDir, { holdUntilDue: true }).catch(async (error: unknown) => {
        await transport.close(0);
        throw error;
      });
    }
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
  const run = (from: Transport, retrying: boolean) => pipeline(
    from.source(abort.signal),
    retrying ? named('retry received', retryReceived<Uint8Array | null>()) : undefined,
    tracking && writesReceived ? named('track received', tracking.received) : undefined,
    named('decode', decode(codec, schema ? { schema } : {})),
    // Not on the retry consumer: the first delivery remembered the key, and its retries must not be dropped for it.
    stores.dedup && !retrying
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
    config.outputTopic ? named('produce', produce(from.sink, { topic: config.outputTopic })) : undefined,
    named('dead letter', deadLetter(from.sink, {
      ...(config.deadLetterTopic ? { topic: config.deadLetterTopic } : {}),
      ...(retryTopics ? { retryTopics } : {}),
    })),
    tracking ? named('track', tracking) : undefined,
    config.log.records ? recordLog(logger, config.log.payloads) : undefined,
    commit(),
  );
  const results = retryTransport ? mergeAsync(run(transport, false), run(retryTransport, true)) : run(transport, false);

  return {
    transport,
    results,
    readiness: readinessOf({ transport, retryTransport, stores, running: () => !abort.signal.aborted, clock, maxLag: config.kafka.readyMaxLag }),
    stop: () => abort.abort(),
    async close(deadlineMs) {
      abort.abort();
      stopSafeguard?.();
      await Promise.allSettled([transport.close(deadlineMs), retryTransport?.close(deadlineMs), stores.close()]);
      // After the transport: the spans of the last batches are ended by then.
      await tracing.shutdown().catch((error: unknown) => logger.warn({ error: messageOf(error) }, 'tracing: spans not exported at shutdown'));
    },
  };
}
