import type { BatchControl } from '../batch.ts';
import type { OutboundRecord } from '../envelope.ts';
import { RecordTooLargeError } from '../errors.ts';
import { singleRecordBatchBytes } from '../record-size.ts';
import type { Sink } from '../sink.ts';
import type { MemoryBroker } from './broker.ts';

const staged = Symbol('orchestron.memory.staged');

export interface MemorySinkOptions {
  /**
   * The most bytes one record may take per topic (as `singleRecordBatchBytes` counts it), like Kafka's
   * `max.message.bytes`: a number for every topic, or per topic (undefined for no limit). Default: no limit. A send
   * holding a larger record is refused whole with a RecordTooLargeError, as a broker refuses the request.
   */
  readonly maxRecordBytes?: number | ((topic: string) => number | undefined);
}

/**
 * A sink into the in-memory broker. In atomic mode it behaves like a Kafka transaction: records are staged with the
 * batch and appear only when the batch commits; an aborted batch leaves nothing behind.
 */
export function memorySink(broker: MemoryBroker, options: MemorySinkOptions = {}): Sink & { readonly sent: () => number } {
  let sent = 0;
  const limit = options.maxRecordBytes;
  const limitOf = limit === undefined ? undefined : typeof limit === 'number' ? () => limit : limit;
  const refuseTooLarge = (records: readonly OutboundRecord[]) => {
    if (!limitOf) return;
    for (const record of records) {
      const max = limitOf(record.topic);
      const bytes = singleRecordBatchBytes(record);
      if (max !== undefined && bytes > max) throw new RecordTooLargeError(record.topic, bytes, max);
    }
  };
  return {
    sent: () => sent,
    ...(limitOf ? { maxRecordBytes: async (topic: string) => limitOf(topic) } : {}),
    async send(records: readonly OutboundRecord[], control: BatchControl) {
      refuseTooLarge(records);
      if (!control.context.failurePolicy.transactional) {
        broker.append(records);
        sent += records.length;
        return;
      }
      let buffer = control.attachments.get(staged) as OutboundRecord[] | undefined;
      if (!buffer) {
        const fresh: OutboundRecord[] = [];
        buffer = fresh;
        control.attachments.set(staged, fresh);
        control.beforeCommit(() => {
          broker.append(fresh);
          sent += fresh.length;
        });
      }
      buffer.push(...records);
    },
    async close() {},
  };
}
