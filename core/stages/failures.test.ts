import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FailureCategories } from '../errors.ts';
import { MemoryMetrics } from '../metrics/memory.ts';
import { MetricDefinitions } from '../metrics/names.ts';
import type { Counter, Labels } from '../metrics/metrics.ts';
import type { FailureLabels } from './failures.ts';
import { countFailures } from './failures.ts';

const labels = fc.record({ topic: fc.constantFrom('orders', 'payments', 'a\u0000b'), category: fc.constantFrom(...FailureCategories) });

describe('countFailures', () => {
  it('adds the same totals per topic and category as one increment per failure, in fewer increments', () => {
    fc.assert(
      fc.property(fc.array(labels, { maxLength: 60 }), (failures: FailureLabels[]) => {
        const grouped = new MemoryMetrics();
        const calls: [Labels, number | undefined][] = [];
        const counter = grouped.counter(MetricDefinitions.recordsFailed);
        const counting: Counter = { inc: (l, n) => (calls.push([l, n]), counter.inc(l, n)) };
        countFailures(counting, failures);

        const single = new MemoryMetrics();
        for (const failure of failures) single.counter(MetricDefinitions.recordsFailed).inc(failure);

        for (const failure of failures) {
          expect(grouped.value(MetricDefinitions.recordsFailed.name, failure)).toBe(single.value(MetricDefinitions.recordsFailed.name, failure));
        }
        expect(grouped.total(MetricDefinitions.recordsFailed.name)).toBe(failures.length);
        expect(calls.length).toBe(new Set(failures.map((f) => `${f.topic}/${f.category}`)).size);
      }),
    );
  });
});
