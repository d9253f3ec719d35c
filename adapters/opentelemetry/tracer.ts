import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, createTraceState, trace } from '@opentelemetry/api';
import type { Link, Span as OtelSpan, Tracer as OtelTracer } from '@opentelemetry/api';
import type { OrchestronError, Span, SpanKind as Kind, SpanOptions, TraceContext, Tracer } from '../../core/index.ts';

const kinds: Record<Kind, SpanKind> = {
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
};

/** A record's producer span, as a link: a remote span context. */
const linkTo = (context: TraceContext): Link => ({
  context: {
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
    ...(context.traceState ? { traceState: createTraceState(context.traceState) } : {}),
  },
});

class BridgedSpan implements Span {
  readonly span: OtelSpan;
  readonly recording: boolean;
  #context: TraceContext | undefined;

  constructor(span: OtelSpan) {
    this.span = span;
    this.recording = span.isRecording();
  }

  get context(): TraceContext {
    if (this.#context) return this.#context;
    const { traceId, spanId, traceFlags, traceState } = this.span.spanContext();
    const sampled = (traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
    const state = traceState?.serialize();
    this.#context = state ? { traceId, spanId, sampled, traceState: state } : { traceId, spanId, sampled };
    return this.#context;
  }

  setAttribute(name: string, value: string | number | boolean): void {
    this.span.setAttribute(name, value);
  }

  addLinks(links: readonly TraceContext[]): void {
    if (links.length > 0) this.span.addLinks(links.map(linkTo));
  }

  fail(error: OrchestronError): void {
    this.span.setAttribute('error.type', error.code);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }

  end(): void {
    this.span.end();
  }
}

/**
 * Orchestron's stage spans through an OpenTelemetry tracer: pass it as the pipeline context's `platform.tracer`.
 * Each span starts from the root context (or its batch's receive span), never from whatever context is active, so
 * a batch's spans form one trace linked to its records' producers.
 */
export function openTelemetryTracer(tracer: OtelTracer = trace.getTracer('orchestron')): Tracer {
  return {
    enabled: true,
    startSpan(name: string, options: SpanOptions): Span {
      const parent = options.parent instanceof BridgedSpan ? trace.setSpan(ROOT_CONTEXT, options.parent.span) : ROOT_CONTEXT;
      const span = tracer.startSpan(
        name,
        { kind: kinds[options.kind], attributes: options.attributes, ...(options.links?.length ? { links: options.links.map(linkTo) } : {}) },
        parent,
      );
      return new BridgedSpan(span);
    },
  };
}
