import type { Batch, DroppedRecord } from '../batch.ts';
import { encodeValue } from '../codecs/json.ts';
import type { Envelope, OutboundRecord } from '../envelope.ts';
import type { OrchestronError } from '../errors.ts';
import { ConfigError, ProcessingError, RecordTooLargeError, SinkError, isOrchestronError, messageOf } from '../errors.ts';
import { failBatch } from '../failed-batch.ts';
import { singleRecordBatchBytes } from '../record-size.ts';
import type { RetryOptions } from '../retry/backoff.ts';
import { retryOptions } from '../retry/backoff.ts';
import { withRetry } from '../retry/retry.ts';
import type { Sink } from '../sink.ts';
import { recordLimits } from '../sink.ts';
import type { BatchStage } from '../stage.ts';
import { batchStage } from '../stage.ts';
import { StageSpans, inSpan, startStageSpan } from '../tracing/batch-spans.ts';
import type { Span } from '../tracing/tracer.ts';
import { sameTopic, traceHeaderValues, withTraceHeaders } from '../tracing/trace-context.ts';
import { countFailed, failRecord, failRecordOrBatch } from './failures.ts';

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

/** A record's outbound records, and why it cannot be sent when one of them is too large for its topic. */
interface Routed<T> {
  readonly record: Envelope<T>;
  readonly outbound: readonly OutboundRecord[];
}

interface Sized<T> {
  readonly outbound: readonly OutboundRecord[];
  /** Records with an outbound record larger than its topic takes: each fails alone, the rest are sent. */
  readonly tooLarge: ReadonlyMap<Envelope<T>, RecordTooLargeError>;
}

/** Splits the routed records into those that fit their topics (as the sink says) and those that do not. */
async function sizeUp<T>(sink: Sink, routed: readonly Routed<T>[]): Promise<Sized<T>> {
  const all = routed.flatMap((r) => r.outbound);
  const limits = await recordLimits(sink, all.map((out) => out.topic));
  if (!limits) return { outbound: all, tooLarge: new Map() };
  const tooLarge = new Map<Envelope<T>, RecordTooLargeError>();
  for (const { record, outbound } of routed) {
    for (const out of outbound) {
      const limit = limits.get(out.topic);
      if (limit === undefined) continue;
      const bytes = singleRecordBatchBytes(out);
      if (bytes > limit) {
        tooLarge.set(record, new RecordTooLargeError(out.topic, bytes, limit));
        break;
      }
    }
  }
  if (tooLarge.size === 0) return { outbound: all, tooLarge };
  return { outbound: routed.filter((r) => !tooLarge.has(r.record)).flatMap((r) => r.outbound), tooLarge };
}

/**
 * Sends each live record's result through `sink`, keys and headers preserved by default. A record larger than its
 * topic takes (when the sink knows its limit, see Sink.maxRecordBytes) fails alone with a RecordTooLargeError, in
 * both failure modes, and goes to the dead letter; the others are sent. A retryable send failure is retried, then
 * fails the batch (nothing is committed; it comes again). A non-retryable one fails the batch in atomic mode and
 * dead-letters the batch's records in skip-and-log mode (see `FailurePolicy.sendFailure`).
 */
export function produce<T>(sink: Sink, options: ProduceOptions<T> = {}): BatchStage<T, T> {
  const route = router(options);
  const retry = retryOptions({ attempts: 5, initialDelayMs: 100, maxDelayMs: 5_000, ...options.retry });

  return batchStage(async (input) => {
    if (input.records.length === 0) return input;
    const context = input.control.context;
    const routed: Routed<T>[] = [];
    let unroutable: DroppedRecord[] | undefined;
    for (const record of input.records) {
      let out: ReturnType<typeof route>;
      try {
        out = route(record);
      } catch (thrown) {
        const dropped = failRecordOrBatch(input.control, record, routeError(thrown));
        if (!dropped) return input;
        (unroutable ??= []).push(dropped);
        continue;
      }
      if (out === null) continue;
      routed.push({ record, outbound: Array.isArray(out) ? (out as readonly OutboundRecord[]) : [out as OutboundRecord] });
    }
    // A record whose encode or route threw fails alone, as the failure policy says; the others are sent.
    let batch = input;
    if (unroutable) {
      countFailed(context, unroutable);
      const failed = new Set(unroutable.map((drop) => drop.record));
      batch = input.next<T>(input.records.filter((record) => !failed.has(record)), unroutable);
    }
    if (!routed.some((r) => r.outbound.length > 0)) return batch;
    const outbound = context.platform.tracer.enabled ? routed.flatMap((r) => r.outbound) : undefined;
    const span = outbound
      ? startStageSpan(batch.control, StageSpans.produce, batch.records, { destination: sameTopic(outbound), count: outbound.length })
      : undefined;
    return inSpan(span, () => send(batch, span ? traced(routed, span, sink) : routed));
  });

  async function send(batch: Batch<T>, routed: readonly Routed<T>[]): Promise<Batch<T>> {
    const context = batch.control.context;
    const { clock, random } = context.platform;
    // The last sizing is kept: a send that fails for good still fails the too-large records with their own reason.
    let sized: Sized<T> = { outbound: [], tooLarge: new Map() };
    const outcome = await withRetry(
      async () => {
        sized = await sizeUp(sink, routed);
        if (sized.outbound.length === 0) return;
        try {
          await sink.send(sized.outbound, batch.control);
        } catch (error) {
          // The topic's limit was lowered between the sizing and the send: sized again, the record fails alone.
          if (error instanceof RecordTooLargeError && sink.maxRecordBytes) throw new SinkError(error.message, { cause: error });
          throw error;
        }
      },
      retry,
      { clock, random, signal: batch.control.signal },
    );
    const error = outcome.error as OrchestronError | undefined;
    if (error && context.failurePolicy.sendFailure(batch.records, error) === 'fail-batch') return failBatch(batch, error);
    // Logged only now: a batch that fails comes again, and its too-large records with it.
    const tooLarge = [...sized.tooLarge].map(([record, tooLargeError]) => failRecord(context, record, tooLargeError));
    if (!error) {
      countFailed(context, tooLarge);
      return tooLarge.length === 0 ? batch : batch.next<T>(batch.records.filter((r) => !sized.tooLarge.has(r)), tooLarge);
    }
    const failedToo = batch.records.filter((r) => !sized.tooLarge.has(r)).map((record) => failRecord(context, record, error, outcome));
    const dropped: DroppedRecord[] = [...tooLarge, ...failedToo];
    countFailed(context, dropped);
    return batch.next<T>([], dropped);
  }
}

/**
 * Why a record's `encode` or `route` threw: its own OrchestronError as it is; anything else (a value JSON cannot
 * encode, a value outside an Avro schema) is a processing error that trying again cannot mend.
 */
function routeError(thrown: unknown): OrchestronError {
  if (isOrchestronError(thrown)) return thrown;
  return new ProcessingError(`produce could not encode the record: ${messageOf(thrown)}`, { cause: thrown, retryable: false });
}

/** The outbound records with the trace context of `span`, the span that sends them (header values made once). */
function traced<T>(routed: readonly Routed<T>[], span: Span, sink: Sink): Routed<T>[] {
  const bytes = sink.headerBytes?.bind(sink);
  const values = traceHeaderValues(span.context, bytes);
  return routed.map(({ record, outbound }) => ({ record, outbound: outbound.map((out) => ({ ...out, headers: withTraceHeaders(out.headers, values) })) }));
}
