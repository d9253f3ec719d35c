import type { BatchControl } from '../batch.ts';
import type { Envelope, Headers } from '../envelope.ts';
import { toOrchestronError } from '../errors.ts';
import type { Span, SpanKind, TraceContext, Tracer } from './tracer.ts';
import { TraceHeaders, traceContextOf } from './trace-context.ts';

/** Attribute names of the OpenTelemetry messaging semantic conventions that the stages' spans carry. */
export const MessagingAttributes = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  consumerGroup: 'messaging.consumer.group.name',
  batchCount: 'messaging.batch.message_count',
  kafkaOffset: 'messaging.kafka.offset',
} as const;

/** Orchestron's own span attributes. */
export const OrchestronAttributes = { stage: 'orchestron.stage', batchId: 'orchestron.batch.id', committed: 'orchestron.batch.committed' } as const;

/** One stage's span: the operation as the messaging conventions name it. */
export interface StageSpan {
  /** `receive`, `process`, `send` or `settle`. */
  readonly type: 'receive' | 'process' | 'send' | 'settle';
  /** `receive`, `process`, `send`, `dead_letter` or `commit`. */
  readonly operation: string;
  readonly kind: SpanKind;
  /** The stage, as `named` calls it. */
  readonly stage: string;
}

export const StageSpans = {
  receive: { type: 'receive', operation: 'receive', kind: 'client', stage: 'source' },
  transform: { type: 'process', operation: 'process', kind: 'consumer', stage: 'transform' },
  produce: { type: 'send', operation: 'send', kind: 'producer', stage: 'produce' },
  deadLetter: { type: 'send', operation: 'dead_letter', kind: 'producer', stage: 'dead letter' },
  commit: { type: 'settle', operation: 'commit', kind: 'client', stage: 'commit' },
  replay: { type: 'send', operation: 'replay', kind: 'producer', stage: 'replay' },
} as const satisfies Record<string, StageSpan>;

/** A batch's tracing: its receive span (every stage span is its child) and the links to its records' producers. */
interface BatchTrace {
  readonly receive: Span;
  readonly links: readonly TraceContext[];
}

const traceKey = Symbol('orchestron.trace');

/** The distinct trace contexts `records` carry in their headers: a batch's links. */
export function linksOf(records: Iterable<{ readonly headers: Headers }>): TraceContext[] {
  const links: TraceContext[] = [];
  const seen = new Set<string>();
  let previous: Uint8Array | undefined;
  for (const record of records) {
    if (record.headers.size === 0) continue;
    // Records sent together carry the same traceparent: the bytes are compared before any is decoded.
    const traceparent = record.headers.get(TraceHeaders.traceparent);
    if (traceparent === undefined || (previous !== undefined && sameBytes(traceparent, previous))) continue;
    previous = traceparent;
    const context = traceContextOf(record.headers);
    if (!context || seen.has(context.spanId)) continue;
    seen.add(context.spanId);
    links.push(context);
  }
  return links;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The batch's receive span, started (and ended: it marks the hand-over) the first time it is asked for: sources ask as
 * they hand a batch over; a stage asks for a batch whose source did not. Undefined when tracing is off.
 */
export function traceReceived(control: BatchControl, records: readonly Envelope<unknown>[]): BatchTrace | undefined {
  const tracer = control.context.platform.tracer;
  if (!tracer.enabled) return undefined;
  const known = control.attachments.get(traceKey) as BatchTrace | undefined;
  if (known) return known;
  const receive = tracer.startSpan(spanName(StageSpans.receive, sourceTopic(control)), {
    kind: StageSpans.receive.kind,
    attributes: attributes(control, StageSpans.receive, sourceTopic(control), records.length, records),
  });
  // Records are read for links only when the trace is sampled.
  const links = receive.recording ? linksOf(records) : [];
  receive.addLinks(links);
  receive.end();
  const trace = { receive, links };
  control.attachments.set(traceKey, trace);
  return trace;
}

/**
 * Starts the span of one stage's work on a batch, a child of the batch's receive span linked to the records'
 * producers; undefined when tracing is off. `destination` is the topic written to (send), else the source topic.
 */
export function startStageSpan(
  control: BatchControl,
  stage: StageSpan,
  records: readonly Envelope<unknown>[],
  options: { readonly destination?: string | undefined; readonly count?: number; readonly links?: readonly Envelope<unknown>[] } = {},
): Span | undefined {
  const trace = traceReceived(control, records);
  if (!trace) return undefined;
  const destination = stage.type === 'send' ? options.destination : sourceTopic(control);
  const links = !trace.receive.recording ? [] : options.links ? linksOf(options.links) : trace.links;
  return control.context.platform.tracer.startSpan(spanName(stage, destination), {
    kind: stage.kind,
    attributes: attributes(control, stage, destination, options.count ?? records.length, records),
    links,
    parent: trace.receive,
  });
}

/** The span of a send outside a pipeline (a replay of dead letters): a new trace, linked to the records' producers. */
export function startSendSpan(tracer: Tracer, stage: StageSpan, destination: string | undefined, records: readonly { readonly headers: Headers }[]): Span {
  const span = tracer.startSpan(spanName(stage, destination), {
    kind: stage.kind,
    attributes: {
      [MessagingAttributes.system]: 'kafka',
      [MessagingAttributes.operationType]: stage.type,
      [MessagingAttributes.operationName]: stage.operation,
      [MessagingAttributes.batchCount]: records.length,
      [OrchestronAttributes.stage]: stage.stage,
      ...(destination === undefined ? {} : { [MessagingAttributes.destination]: destination }),
    },
  });
  if (span.recording) span.addLinks(linksOf(records));
  return span;
}

/** Runs `work` in `span` (when there is one): a failed batch, or a throw, marks the span failed; it ends either way. */
export async function inSpan<B extends { readonly failure: unknown }>(span: Span | undefined, work: () => Promise<B>): Promise<B> {
  if (!span) return work();
  try {
    const out = await work();
    if (out.failure) span.fail(toOrchestronError(out.failure));
    return out;
  } catch (error) {
    span.fail(toOrchestronError(error));
    throw error;
  } finally {
    span.end();
  }
}

/** `{operation} {destination}`, as the messaging conventions name spans. */
const spanName = (stage: StageSpan, destination: string | undefined): string =>
  destination ? `${stage.operation} ${destination}` : stage.operation;

/** The batch's source topic, when it reads one topic. */
function sourceTopic(control: BatchControl): string | undefined {
  const first = control.positions[0]?.topic;
  return control.positions.every((p) => p.topic === first) ? first : undefined;
}

function attributes(
  control: BatchControl,
  stage: StageSpan,
  destination: string | undefined,
  count: number,
  records: readonly Envelope<unknown>[],
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {
    [MessagingAttributes.system]: 'kafka',
    [MessagingAttributes.operationType]: stage.type,
    [MessagingAttributes.operationName]: stage.operation,
    [MessagingAttributes.batchCount]: count,
    [OrchestronAttributes.stage]: stage.stage,
    [OrchestronAttributes.batchId]: control.id,
  };
  if (destination !== undefined) out[MessagingAttributes.destination] = destination;
  if (stage.type !== 'send') {
    out[MessagingAttributes.consumerGroup] = control.context.consumerGroup;
    const [only, ...others] = control.positions;
    if (only && others.length === 0) out[MessagingAttributes.partition] = String(only.partition);
    // A batch of one record is that record: its offset, as the conventions give it for a single message.
    if (records.length === 1) out[MessagingAttributes.kafkaOffset] = Number(records[0]!.offset);
  }
  return out;
}
