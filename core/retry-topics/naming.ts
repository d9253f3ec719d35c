/** Spring Kafka's default suffixing with the delay value: `orders` and 10 s → `orders-retry-10000`. */
export const retryTopicName = (topic: string, delayMs: number): string => `${topic}-retry-${delayMs}`;

const retryTopicPattern = /-retry-\d+$/;

/** Whether `topic` is named as a retry topic (`<topic>-retry-<delayMs>`). */
export const isRetryTopic = (topic: string): boolean => retryTopicPattern.test(topic);

/**
 * Headers of a record sent to a retry topic, beside the dead-letter headers (`source_*`, `error_*`) and the record's
 * own. The names are Spring Kafka's (`@RetryableTopic`, `KafkaHeaders.DLT_ORIGINAL_*`); the values are UTF-8 text
 * (decimal numbers), like every Orchestron header. See docs/retries.md.
 */
export const RetryTopicHeaders = {
  /** The delivery the retry consumer makes of the record: 2 in the first retry topic, 3 in the second… */
  attempts: 'retry_topic-attempts',
  /** When the record is due (epoch ms); the retry consumer holds its partition until then. */
  backoffTimestamp: 'retry_topic-backoff-timestamp',
  /** The original record's timestamp (epoch ms). */
  originalTimestamp: 'retry_topic-original-timestamp',
  originalTopic: 'kafka_dlt-original-topic',
  originalPartition: 'kafka_dlt-original-partition',
  originalOffset: 'kafka_dlt-original-offset',
  originalConsumerGroup: 'kafka_dlt-original-consumer-group',
  exceptionMessage: 'kafka_dlt-exception-message',
  /** The error's class name (Spring: the exception's fully qualified class name). */
  exceptionClass: 'kafka_dlt-exception-fqcn',
  /** The original record's dedup key, so that every hop updates the same tracker row. */
  dedupKey: 'orchestron_dedup_key',
} as const;
