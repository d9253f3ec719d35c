import type { BatchControl, OutboundRecord, Sink } from '../../core/index.ts';
import { CoalescedSends } from './coalesced-sends.ts';
import { kafkaError } from './errors.ts';
import type { ProducerHolder } from './producer-holder.ts';
import type { KafkaOutbound } from './records.ts';
import { toKafkaMessage } from './records.ts';
import type { BatchTransactions } from './transactions.ts';

/**
 * The Kafka sink: an idempotent producer (acks=all), keys and headers preserved. In atomic mode records go into the
 * batch's transaction and become visible only when the batch commits; otherwise sends made in one turn of the event
 * loop share a produce request (see CoalescedSends).
 */
export function kafkaSink(producers: ProducerHolder, transactions: BatchTransactions | undefined): Sink {
  const sends = new CoalescedSends<KafkaOutbound>((messages) => producers.current.send({ messages }));
  return {
    async send(records: readonly OutboundRecord[], control: BatchControl) {
      if (records.length === 0) return;
      const messages = records.map(toKafkaMessage);
      if (transactions && control.context.failureMode === 'atomic') {
        await transactions.send(control, messages);
        return;
      }
      try {
        await sends.send(messages);
      } catch (error) {
        throw kafkaError(error, `produce ${messages.length} records`);
      }
    },
    async close() {
      await producers.close();
    },
  };
}
