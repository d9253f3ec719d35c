import { Consumer, FetchIsolationLevels, MessagesStreamFallbackModes, MessagesStreamModes, stringDeserializer } from '@platformatic/kafka';
import type { MessagesStream } from '@platformatic/kafka';
import { messageOf } from '../../core/index.ts';
import type { Logger } from '../../core/index.ts';
import { consumeStream } from '../../adapters/kafka/consume-stream.ts';
import type { KafkaMessage } from '../../adapters/kafka/index.ts';
import type { KafkaAccess } from '../pipeline/kafka-access.ts';
import { clientBase } from '../pipeline/kafka-access.ts';
import { randomToken } from './secret-compare.ts';

export interface TopicTail {
  close(): Promise<void>;
}

const retryMs = 5_000;

/**
 * Reads `topic` from its beginning and then as records arrive, handing each committed record to `onMessage`, until
 * closed; a failure (the topic not there yet, the broker away) is logged and the read starts over a little later. The
 * consumer group is private and never commits: the topic's other readers are not affected.
 */
export function tailTopic(access: KafkaAccess, topic: string, onMessage: (message: KafkaMessage) => void, logger: Logger): TopicTail {
  let closed = false;
  let consumer: Consumer<Buffer, Buffer, string, Buffer> | undefined;
  let stream: MessagesStream<Buffer, Buffer, string, Buffer> | undefined;
  let wake: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async () => {
    while (!closed) {
      try {
        consumer = new Consumer({
          ...clientBase(access, 'orchestron-console'),
          groupId: `orchestron-console-${randomToken(6)}`,
          autocommit: false,
          isolationLevel: FetchIsolationLevels.READ_COMMITTED,
          deserializers: { headerKey: stringDeserializer },
        });
        consumer.on('error', (error: unknown) => logger.debug({ topic, error: messageOf(error) }, 'console reader error'));
        stream = await consumeStream(
          consumer,
          { topics: [topic], mode: MessagesStreamModes.EARLIEST, fallbackMode: MessagesStreamFallbackModes.EARLIEST, autocommit: false, maxWaitTime: 500 },
          (error) => logger.warn({ topic, error: messageOf(error) }, 'console reader stream error'),
        );
        for await (const message of stream) onMessage(message as KafkaMessage);
      } catch (error) {
        if (!closed) logger.warn({ topic, error: messageOf(error), retryMs }, 'console cannot read the topic yet; trying again');
      } finally {
        await stream?.close().catch(() => {});
        await consumer?.close(true).catch(() => {});
      }
      if (!closed) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, retryMs);
        });
      }
    }
  };
  const running = run();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      wake?.();
      await stream?.close().catch(() => {});
      await running;
    },
  };
}
