import type { BatchControl } from './batch.ts';
import type { OutboundRecord } from './envelope.ts';

/**
 * Where records go: Kafka (adapters/kafka), memory (core). `send` resolves once the records are accepted (acked, or
 * staged in the batch's transaction, which then commits with the batch). Reject with an OrchestronError whose
 * `retryable` says whether trying again can help.
 */
export interface Sink {
  send(records: readonly OutboundRecord[], control: BatchControl): Promise<void>;
  close(): Promise<void>;
  /**
   * The most bytes one record may take in `topic` as this sink writes it (compared with `singleRecordBatchBytes`), when
   * known; undefined for no limit. The produce and dead-letter stages ask it so that a record too large for its topic
   * fails alone (or is truncated, as a dead letter) instead of failing the whole send.
   */
  maxRecordBytes?(topic: string): Promise<number | undefined>;
  /**
   * `bytes` as this sink writes a header value without copying it (a Buffer for the Kafka client); the value as it is
   * when left out. Stages call it once for a value they put on many records (the trace context).
   */
  headerBytes?(bytes: Uint8Array): Uint8Array;
}

/**
 * The most bytes one record may take in each of `topics` as `sink` says (`Sink.maxRecordBytes`, each topic asked once):
 * undefined for a topic without a limit; no map at all when the sink knows no limits.
 */
export async function recordLimits(sink: Sink, topics: Iterable<string>): Promise<ReadonlyMap<string, number | undefined> | undefined> {
  const maxRecordBytes = sink.maxRecordBytes?.bind(sink);
  if (!maxRecordBytes) return undefined;
  const limits = new Map<string, number | undefined>();
  for (const topic of topics) if (!limits.has(topic)) limits.set(topic, await maxRecordBytes(topic));
  return limits;
}
