import { AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Tracer } from '../../core/index.ts';
import { openTelemetryTracer } from './tracer.ts';

/** Test support: a tracer that samples everything and keeps the ended spans in memory. */
export function memoryTracing(): { readonly tracer: Tracer; spans(): ReadableSpan[] } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: openTelemetryTracer(provider.getTracer('test')), spans: () => exporter.getFinishedSpans() };
}
