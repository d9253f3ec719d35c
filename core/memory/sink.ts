import type { BatchControl } from '../batch.ts';
import type { OutboundRecord } from '../envelope.ts';
import type { Sink } from '../sink.ts';
import type { MemoryBroker } from './broker.ts';

const staged = Symbol('orchestron.memory.staged');

/**
 * A sink into the in-memory broker. In atomic mode it behaves like a Kafka transaction: records are staged with the
 * batch and appear only when the batch commits; an aborted batch leaves nothing behind.
 */
export function memorySink(broker: MemoryBroker): Sink & { readonly sent: () => number } {
  let sent = 0;
  return {
    sent: () => sent,
    async send(records: readonly OutboundRecord[], control: BatchControl) {
      if (control.context.failureMode !== 'atomic') {
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
