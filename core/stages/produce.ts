import type { DroppedRecord } from '../batch.ts';
import { encodeValue } from '../codecs/json.ts';
import type { Envelope, OutboundRecord } from '../envelope.ts';
import type { OrchestronError } from '../errors.ts';
import { ConfigError } from '../errors.ts';
import type { RetryOptions } from '../retry/backoff.ts';
import { retryOptions } from '../retry/backoff.ts';
import { withRetry } from '../retry/retry.ts';
import type { Sink } from '../sink.ts';
import type { BatchStage } from '../stage.ts';
import { batchStage } from '../stage.ts';
import { countFailed, failRecord } from './failures.ts';

export interface ProduceOptions<T> {
  /** Output topic, fixed or per record. Needed unless `route` is given. */
  readonly topic?: string | ((record: Envelope<T>) => string);
  /** Value to bytes; default: bytes as is, strings as UTF-8, the rest as JSON. */
  readonly encode?: (value: T, record: Envelope<T>) => Uint8Array | null;
  /** Full control: the records to send for one result (none, one, or several topics). Keys and headers are yours to set. */
  readonly route?: (record: Envelope<T>) => OutboundRecord | readonly OutboundRecord[] | null;
  /** Retries of a retryable send failure before the batch is given up. */
  readonly retry?: Partial<RetryOptions>;
}

function router<T>(options: ProduceOptions<T>): (record: Envelope<T>) => OutboundRecord | readonly OutboundRecord[] | null {
  if (options.route) return options.route;
  const { topic } = options;
  if (topic === undefined || topic === '') {
    throw new ConfigError('topic', 'produce needs an output topic (a string or a function of the record) or a route');
  }
  const topicOf = typeof topic === 'function' ? topic : () => topic;
  const encode = options.encode ?? ((value: T) => encodeValue(value));
  return (record) => ({
    topic: topicOf(record),
    key: record.key,
    value: encode(record.value, record),
    headers: record.headers,
  });
}

/**
 * Sends each live record's result through `sink`, keys and headers preserved by default. A retryable send failure is
 * retried, then fails the batch (nothing is committed; it comes again). A non-retryable one fails the batch in atomic
 * mode and dead-letters the batch's records in skip-and-log mode.
 */
export function produce<T>(sink: Sink, options: ProduceOptions<T> = {}): BatchStage<T, T> {
  const route = router(options);
  const retry = retryOptions({ attempts: 5, initialDelayMs: 100, maxDelayMs: 5_000, ...options.retry });

  return batchStage(async (batch) => {
    if (batch.records.length === 0) return batch;
    const context = batch.control.context;
    const outbound: OutboundRecord[] = [];
    for (const record of batch.records) {
      const routed = route(record);
      if (routed === null) continue;
      if (Array.isArray(routed)) outbound.push(...(routed as readonly OutboundRecord[]));
      else outbound.push(routed as OutboundRecord);
    }
    if (outbound.length === 0) return batch;
    const { clock, random } = context.platform;
    const outcome = await withRetry(() => sink.send(outbound, batch.control), retry, {
      clock,
      random,
      signal: batch.control.signal,
    });
    if (outcome.ok) return batch;
    const error = outcome.error as OrchestronError;
    if (error.retryable || context.failureMode === 'atomic') {
      batch.control.fail(error);
      return batch;
    }
    const dropped: DroppedRecord[] = batch.records.map((record) => failRecord(context, record, error, outcome));
    countFailed(context, dropped);
    return batch.next<T>([], dropped);
  });
}
