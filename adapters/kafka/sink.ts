import type { Producer } from '@platformatic/kafka';
import type { BatchControl, OutboundRecord, Sink } from '../../core/index.ts';
import { CoalescedSends } from './coalesced-sends.ts';
import { kafkaError } from './errors.ts';
import type { KafkaOutbound } from './records.ts';
import { toKafkaMessage } from './records.ts';
import type { BatchTransactions } from './transactions.ts';

type KafkaProducer = Producer<Buffer, Buffer, string, Buffer>;

/**
 * The Kafka sink: an idempotent producer (acks=all), keys and headers preserved. In atomic mode records go into the
 * batch's transaction and become visible only when the batch commits; otherwise sends made in one turn of the event
 * loop share a produce request (see CoalescedSends).
 */
export function kafkaSink(producer: KafkaProducer, transactions: BatchTransactions | undefined): Sink {
  const sends = new CoalescedSends<KafkaOutbound>((messages) => producer.send({ messages }));
  return {
    async send(records: readonly OutboundRecord[], control: BatchControl) {
      if (records.length === 0) return;
      const messages = records.map(toKafkaMessage);
      if (transactions && control.context.failureMode === 'atomic') {
        const transaction = await transactions.of(control);
        try {
          await transactions.answered('produce in a transaction', () => transaction.send({ messages }));
        } catch (error) {
          throw kafkaError(error, `produce ${messages.length} records in a transaction`);
        }
        return;
      }
      try {
        await sends.send(messages);
      } catch (error) {
        throw kafkaError(error, `produce ${messages.length} records`);
      }
    },
    async close() {
      await producer.close();
    },
  };
}
