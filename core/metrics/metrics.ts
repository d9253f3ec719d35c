import type { MetricDefinition } from './names.ts';
import { MetricDefinitions } from './names.ts';

export type Labels = Readonly<Record<string, string>>;

/** Shaped like prom-client's instruments, so prom-client satisfies these interfaces as is. */
export interface Counter {
  inc(labels: Labels, value?: number): void;
}
export interface Gauge {
  set(labels: Labels, value: number): void;
  /** Drops a series (a partition no longer assigned here); a gauge without it is set to 0 instead (see dropSeries). */
  remove?(labels: Labels): void;
}

/** Drops one series of a gauge, or sets it to 0 where the gauge cannot drop series. */
export function dropSeries(gauge: Gauge, labels: Labels): void {
  if (gauge.remove) gauge.remove(labels);
  else gauge.set(labels, 0);
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

/** Creates instruments from their definitions (a prom-client registry, an in-memory recorder, nothing). */
export interface MetricsFactory {
  counter(definition: MetricDefinition): Counter;
  gauge(definition: MetricDefinition): Gauge;
  histogram(definition: MetricDefinition): Histogram;
}

type Instrument<D> = D extends { type: 'counter' } ? Counter : D extends { type: 'gauge' } ? Gauge : Histogram;

/** The core's instruments, one per definition in names.ts. */
export type Metrics = { readonly [K in keyof typeof MetricDefinitions]: Instrument<(typeof MetricDefinitions)[K]> };

const noop = { inc() {}, set() {}, remove() {}, observe() {} };

export const noopMetricsFactory: MetricsFactory = {
  counter: () => noop,
  gauge: () => noop,
  histogram: () => noop,
};

export function createMetrics(factory: MetricsFactory = noopMetricsFactory): Metrics {
  const entries = Object.entries(MetricDefinitions).map(([key, definition]) => {
    const make = factory[definition.type].bind(factory);
    return [key, make(definition)] as const;
  });
  return Object.fromEntries(entries) as unknown as Metrics;
}
