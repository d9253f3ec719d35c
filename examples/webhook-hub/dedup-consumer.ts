import { hostname } from 'node:os';
import { commit, decodeText, dedup, decode, json, pipeline, pipelineContext, produce, transform } from '../../core/index.ts';
import type { DedupStore, Envelope, Logger } from '../../core/index.ts';
import { KafkaTransport } from '../../adapters/kafka/index.ts';
import type { HubEvent } from './event-schema.ts';

export interface DedupConsumerOptions {
  readonly brokers: readonly string[];
  /** The hub's topic. */
  readonly topic: string;
  /** Where each event is delivered once. */
  readonly outputTopic: string;
  readonly groupId: string;
  /** Stable per instance: its transactional id. */
  readonly instanceId: string;
  readonly store: DedupStore;
  /** How long an event id is remembered; longer than any redelivery can take. */
  readonly ttlMs: number;
  readonly logger: Logger;
}

export interface DedupConsumerTotals {
  readonly delivered: number;
  readonly deduplicated: number;
}

export interface DedupConsumer {
  readonly done: Promise<DedupConsumerTotals>;
  totals(): DedupConsumerTotals;
  stop(): Promise<DedupConsumerTotals>;
}

/** The event id the relay put on the record: its `event_id` header (also the record key). */
export const eventIdOf = (record: Envelope<unknown>): string => {
  const header = record.headers.get('event_id');
  return header ? decodeText(header) : record.dedupKey;
};

/**
 * A consumer downstream of the hub, as the relay's at-least-once delivery calls for: records are deduplicated on the
 * event id before anything else, and each batch's output and offsets commit in one Kafka transaction, so every event
 * reaches `outputTopic` once even when the relay published it twice.
 */
export function startDedupConsumer(options: DedupConsumerOptions): DedupConsumer {
  const context = pipelineContext({
    failureMode: 'atomic',
    consumerGroup: options.groupId,
    host: hostname(),
    platform: { logger: options.logger },
  });
  const transport = new KafkaTransport({
    brokers: options.brokers,
    groupId: options.groupId,
    topics: [options.topic],
    failureMode: 'atomic',
    instanceId: options.instanceId,
    context,
  });
  const stopping = new AbortController();
  const totals = { delivered: 0, deduplicated: 0 };
  const run = async (): Promise<DedupConsumerTotals> => {
    try {
      const results = pipeline(
        transport.source(stopping.signal),
        dedup<Uint8Array | null>(options.store, { key: eventIdOf, ttlMs: options.ttlMs }),
        decode(json<HubEvent>()),
        transform((event) => ({ ...event, deliveredAt: new Date().toISOString() })),
        produce(transport.sink, { topic: options.outputTopic }),
        commit(),
      );
      for await (const result of results) {
        if (!result.committed) continue;
        totals.delivered += result.ok;
        totals.deduplicated += result.dropped.deduplicated;
        options.logger.info({ batch: result.id, delivered: result.ok, deduplicated: result.dropped.deduplicated }, 'events delivered');
      }
    } finally {
      await transport.close();
    }
    return { ...totals };
  };
  const done = run();
  return {
    done,
    totals: () => ({ ...totals }),
    stop: () => {
      stopping.abort();
      return done;
    },
  };
}
