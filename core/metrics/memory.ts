import type { Counter, Gauge, Histogram, Labels, MetricsFactory } from './metrics.ts';
import type { MetricDefinition } from './names.ts';

/** `name{a="1",b="2"}` with the label names sorted; called on every record, so no intermediate arrays of pairs. */
const seriesKey = (name: string, labels: Labels): string => {
  const names = Object.keys(labels);
  if (names.length === 0) return name;
  if (names.length > 1) names.sort();
  let key = `${name}{`;
  for (let i = 0; i < names.length; i++) key += `${i === 0 ? '' : ','}${names[i]}="${labels[names[i] as string]}"`;
  return `${key}}`;
};

/** What a histogram series keeps in memory: constant size however many values it observed. */
export interface ObservedSummary {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Keeps every series in memory: for tests, the embedded demo's summary and runtimes without Prometheus. A histogram
 * series keeps count, sum, min and max, not its values, so a long run costs no more memory than a short one.
 */
export class MemoryMetrics implements MetricsFactory {
  readonly #values = new Map<string, number>();
  readonly #observed = new Map<string, { -readonly [K in keyof ObservedSummary]: number }>();

  counter(definition: MetricDefinition): Counter {
    return { inc: (labels, value = 1) => this.#add(seriesKey(definition.name, labels), value) };
  }

  gauge(definition: MetricDefinition): Gauge {
    return {
      set: (labels, value) => void this.#values.set(seriesKey(definition.name, labels), value),
      remove: (labels) => void this.#values.delete(seriesKey(definition.name, labels)),
    };
  }

  histogram(definition: MetricDefinition): Histogram {
    return {
      observe: (labels, value) => {
        const key = seriesKey(definition.name, labels);
        const series = this.#observed.get(key);
        if (series === undefined) {
          this.#observed.set(key, { count: 1, sum: value, min: value, max: value });
          return;
        }
        series.count += 1;
        series.sum += value;
        if (value < series.min) series.min = value;
        if (value > series.max) series.max = value;
      },
    };
  }

  /** The value of one series, e.g. `value('orchestron_records_ok_total', { topic: 'orders' })`. */
  value(name: string, labels: Labels = {}): number {
    return this.#values.get(seriesKey(name, labels)) ?? 0;
  }

  /** Whether a counter or gauge series exists (was set and not removed). */
  has(name: string, labels: Labels = {}): boolean {
    return this.#values.has(seriesKey(name, labels));
  }

  /** The sum of a counter over all its label sets. */
  total(name: string): number {
    let sum = 0;
    for (const [key, value] of this.#values) if (key === name || key.startsWith(`${name}{`)) sum += value;
    return sum;
  }

  /** Count, sum, min and max of one histogram series; undefined before its first observation. */
  summary(name: string, labels: Labels = {}): ObservedSummary | undefined {
    const series = this.#observed.get(seriesKey(name, labels));
    return series === undefined ? undefined : { ...series };
  }

  #add(key: string, value: number): void {
    this.#values.set(key, (this.#values.get(key) ?? 0) + value);
  }
}
