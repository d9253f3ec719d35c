// Loaded only when `tracing.enabled` is set (see tracing.ts): the OpenTelemetry packages are optional peer dependencies.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { openTelemetryTracer } from '../../adapters/opentelemetry/index.ts';
import type { Tracer } from '../../core/index.ts';
import { version } from '../version.ts';

export interface TracingSettings {
  readonly serviceName: string;
  readonly samplingRatio: number;
}

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * A tracer provider of its own (the global one is left to the application): batches sampled at `samplingRatio` (a
 * batch's later spans follow its receive span's decision), exported with OTLP/HTTP to where the standard OTEL_*
 * variables say (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, …_HEADERS, …_PROTOCOL), with the
 * resource attributes of OTEL_RESOURCE_ATTRIBUTES. `exporter` replaces the OTLP exporter (tests).
 */
export function startOpenTelemetry(settings: TracingSettings, exporter: SpanExporter = new OTLPTraceExporter()): Tracing {
  const resource = detectResources({ detectors: [envDetector] }).merge(resourceFromAttributes({ 'service.name': settings.serviceName, 'service.version': version }));
  const provider = new BasicTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.samplingRatio) }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  return { tracer: openTelemetryTracer(provider.getTracer('orchestron', version)), shutdown: () => provider.shutdown() };
}
