import type { BatchControl, OutboundRecord, Sink } from '../../core/index.ts';
import { RecordTooLargeError, SinkError, isOrchestronError, recordBatchOverheadBytes, recordBytes } from '../../core/index.ts';
import { CoalescedSends } from './coalesced-sends.ts';
import { kafkaError } from './errors.ts';
import type { SizedMessage } from './produce-requests.ts';
import { requestsWithin } from './produce-requests.ts';
import type { ProducerHolder } from './producer-holder.ts';
import type { KafkaOutbound } from './records.ts';
import { asBuffer, toKafkaMessage } from './records.ts';
import { isTooLargeAnswer } from './topic-limits.ts';
import type { TopicLimits } from './topic-limits.ts';
import type { BatchTransactions } from './transactions.ts';

type Sized = SizedMessage<KafkaOutbound>;

/**
 * The Kafka sink: an idempotent producer (acks=all), keys and headers preserved. In atomic mode records go into the
 * batch's transaction and become visible only when the batch commits; otherwise sends made in one turn of the event
 * loop share a produce request (see CoalescedSends). Either way a send is cut into produce requests that keep each
 * destination topic within its `max.message.bytes` (see TopicLimits, requestsWithin), sent one after another in order;
 * a record larger than its topic takes on its own is refused with a RecordTooLargeError before anything is sent.
 */
export function kafkaSink(producers: ProducerHolder, transactions: BatchTransactions | undefined, limits: TopicLimits): Sink {
  const split = (items: Sized[]) => requestsWithin(items, (topic) => limits.lastRead(topic));
  const sends = new CoalescedSends<Sized>((items) => producers.current.send({ messages: items.map((item) => item.message) }), split);

  /** The records sized, after the limits of their topics are known; the first one too large on its own is refused. */
  async function sized(records: readonly OutboundRecord[]): Promise<Sized[]> {
    const topics = new Set(records.map((record) => record.topic));
    for (const topic of topics) if (limits.known(topic) === undefined) await limits.of(topic);
    return records.map((record) => {
      const bytes = recordBytes(record);
      const limit = limits.lastRead(record.topic);
      if (limit !== undefined && bytes + recordBatchOverheadBytes > limit) {
        throw new RecordTooLargeError(record.topic, bytes + recordBatchOverheadBytes, limit);
      }
      return { topic: record.topic, bytes, message: toKafkaMessage(record) };
    });
  }

  /**
   * After the broker answered that a request was too large, the topics' limits are read again: when one was lowered
   * meanwhile, the send is worth trying again (it will be cut smaller); otherwise the answer stands.
   */
  async function tooLarge(error: unknown, items: readonly Sized[]): Promise<unknown> {
    if (!isTooLargeAnswer(error)) return error;
    const lowered = await limits.refresh(items.map((item) => item.topic));
    if (!lowered) return error;
    const message = isOrchestronError(error) ? error.message : kafkaError(error, 'produce').message;
    return new SinkError(`${message}; the topic's max.message.bytes was lowered meanwhile, the send is cut smaller next time`, {
      cause: error,
      retryable: true,
    });
  }

  return {
    maxRecordBytes: (topic) => limits.of(topic),
    headerBytes: asBuffer,
    async send(records: readonly OutboundRecord[], control: BatchControl) {
      if (records.length === 0) return;
      let items: Sized[];
      try {
        items = await sized(records);
      } catch (error) {
        throw isOrchestronError(error) ? error : kafkaError(error, 'read the size limits of the topics');
      }
      if (transactions && control.context.failurePolicy.transactional) {
        for (const request of split(items)) {
          try {
            await transactions.send(control, request.map((item) => item.message));
          } catch (error) {
            throw await tooLarge(error, request);
          }
        }
        return;
      }
      try {
        await sends.send(items);
      } catch (error) {
        const answered = await tooLarge(error, items);
        throw isOrchestronError(answered) ? answered : kafkaError(answered, `produce ${items.length} records`);
      }
    },
    async close() {
      await Promise.all([producers.close(), limits.close()]);
    },
  };
}
