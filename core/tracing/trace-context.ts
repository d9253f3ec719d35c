import type { Headers } from '../envelope.ts';
import { decodeText, encodeText } from '../envelope.ts';
import type { TraceContext } from './tracer.ts';

/** The W3C Trace Context header names, as records carry them. */
export const TraceHeaders = { traceparent: 'traceparent', tracestate: 'tracestate' } as const;

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const zeroTrace = /^0+$/;

/** The trace context of a `traceparent` (and `tracestate`) value, or undefined when it is not a valid one. */
export function parseTraceparent(traceparent: string, tracestate?: string): TraceContext | undefined {
  const match = traceparentPattern.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  // Version ff is invalid; version 00 has nothing after the flags.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (zeroTrace.test(traceId) || zeroTrace.test(spanId)) return undefined;
  const sampled = (parseInt(flags, 16) & 1) === 1;
  return tracestate ? { traceId, spanId, sampled, traceState: tracestate } : { traceId, spanId, sampled };
}

export const formatTraceparent = (context: TraceContext): string =>
  `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`;

/** The trace context a record's headers carry, if any. */
export function traceContextOf(headers: Headers): TraceContext | undefined {
  const traceparent = headers.get(TraceHeaders.traceparent);
  if (traceparent === undefined) return undefined;
  const tracestate = headers.get(TraceHeaders.tracestate);
  return parseTraceparent(decodeText(traceparent), tracestate === undefined ? undefined : decodeText(tracestate));
}

/** The header values that carry `context` on, encoded once for every record written under it. */
export interface TraceHeaderValues {
  readonly traceparent: Uint8Array;
  readonly tracestate: Uint8Array | undefined;
}

/** The header values of `context`, each made once by `bytes` (a sink's `headerBytes`) for every record written under it. */
export function traceHeaderValues(context: TraceContext, bytes: (value: Uint8Array) => Uint8Array = (value) => value): TraceHeaderValues {
  return {
    traceparent: bytes(encodeText(formatTraceparent(context))),
    tracestate: context.traceState ? bytes(encodeText(context.traceState)) : undefined,
  };
}

/** `headers` with the trace context replaced by `values` (the span that writes the record). */
export function withTraceHeaders(headers: Headers | undefined, values: TraceHeaderValues): Headers {
  const next = new Map(headers);
  next.set(TraceHeaders.traceparent, values.traceparent);
  if (values.tracestate) next.set(TraceHeaders.tracestate, values.tracestate);
  else next.delete(TraceHeaders.tracestate);
  return next;
}

/**
 * Each record with the trace context of the span that writes it, the header values made once for all of them by
 * `bytes` (a sink's `headerBytes`: the form its client takes).
 */
export function carryTrace<R extends { readonly headers?: Headers }>(records: readonly R[], context: TraceContext, bytes?: (value: Uint8Array) => Uint8Array): R[] {
  const values = traceHeaderValues(context, bytes);
  return records.map((record) => ({ ...record, headers: withTraceHeaders(record.headers, values) }) as R);
}

/** The topic every record goes to, when there is one: a span's destination. */
export function sameTopic(records: readonly { readonly topic: string }[]): string | undefined {
  const topic = records[0]?.topic;
  return records.every((record) => record.topic === topic) ? topic : undefined;
}
