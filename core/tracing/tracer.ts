import type { OrchestronError } from '../errors.ts';

/** A span's W3C trace context: what the `traceparent` and `tracestate` headers carry. */
export interface TraceContext {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  readonly sampled: boolean;
  /** The `tracestate` header as it came, when there was one. */
  readonly traceState?: string;
}

/** The span kinds the OpenTelemetry messaging conventions use. */
export type SpanKind = 'producer' | 'consumer' | 'client' | 'internal';

export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

export interface SpanOptions {
  readonly kind: SpanKind;
  readonly attributes: SpanAttributes;
  /** The contexts of the spans that produced the batch's records: links, since a batch has many parents. */
  readonly links?: readonly TraceContext[];
  /** The span this one is a child of; a new trace when left out. */
  readonly parent?: Span;
}

export interface Span {
  /** False for a span that is not sampled: what it would record need not be computed. */
  readonly recording: boolean;
  /** This span's context, to hand on in the headers of the records it writes. */
  readonly context: TraceContext;
  setAttribute(name: string, value: string | number | boolean): void;
  /** Links added once the span is known to record (a batch's records are read only for a sampled span). */
  addLinks(links: readonly TraceContext[]): void;
  /** Marks the span failed with `error`. */
  fail(error: OrchestronError): void;
  end(): void;
}

/**
 * Where the stages' spans go, injected through `Platform.tracer`. The default (`noopTracer`) is off: stages check
 * `enabled` once per batch and do nothing else. The OpenTelemetry bridge (orchestron/opentelemetry) implements it.
 */
export interface Tracer {
  readonly enabled: boolean;
  startSpan(name: string, options: SpanOptions): Span;
}

const noContext: TraceContext = { traceId: '00000000000000000000000000000000', spanId: '0000000000000000', sampled: false };

const noopSpan: Span = {
  recording: false,
  context: noContext,
  setAttribute: () => {},
  addLinks: () => {},
  fail: () => {},
  end: () => {},
};

/** Tracing off: no span is made. */
export const noopTracer: Tracer = { enabled: false, startSpan: () => noopSpan };
