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
}
