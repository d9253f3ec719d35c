import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createMetrics } from '../../core/index.ts';
import type { MetricDefinition, Metrics, MetricsFactory } from '../../core/index.ts';

export interface PrometheusMetrics {
  readonly registry: Registry;
  readonly metrics: Metrics;
  /** The exposition text and its content type, for GET /metrics. */
  scrape(): Promise<{ body: string; contentType: string }>;
}

const common = (definition: MetricDefinition, registry: Registry) => ({
  name: definition.name,
  help: definition.help,
  labelNames: [...definition.labelNames],
  registers: [registry],
});

/** The core's instruments as prom-client metrics in their own registry, plus the process metrics prom-client collects. */
export function prometheusMetrics(options: { readonly processMetrics?: boolean } = {}): PrometheusMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) {
    try {
      collectDefaultMetrics({ register: registry });
    } catch {
      // A runtime without perf_hooks' event-loop monitor (older Deno) still serves the core's metrics.
    }
  }
  const factory: MetricsFactory = {
    counter: (definition) => new Counter(common(definition, registry)),
    gauge: (definition) => new Gauge(common(definition, registry)),
    histogram: (definition) =>
      new Histogram({ ...common(definition, registry), ...('buckets' in definition ? { buckets: [...definition.buckets] } : {}) }),
  };
  return {
    registry,
    metrics: createMetrics(factory),
    scrape: async () => ({ body: await registry.metrics(), contentType: registry.contentType }),
  };
}
