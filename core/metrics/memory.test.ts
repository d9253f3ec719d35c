import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryMetrics } from './memory.ts';
import { MetricDefinitions } from './names.ts';

describe('MemoryMetrics', () => {
  it('counts a series under its labels whatever their order, and totals a counter over its label sets', () => {
    const metrics = new MemoryMetrics();
    const failed = metrics.counter(MetricDefinitions.recordsFailed);
    failed.inc({ topic: 'orders', category: 'PROCESSING_ERROR' });
    failed.inc({ category: 'PROCESSING_ERROR', topic: 'orders' }, 2);
    failed.inc({ topic: 'orders', category: 'DESERIALIZATION_ERROR' });
    expect(metrics.value(MetricDefinitions.recordsFailed.name, { category: 'PROCESSING_ERROR', topic: 'orders' })).toBe(3);
    expect(metrics.total(MetricDefinitions.recordsFailed.name)).toBe(4);
    expect(metrics.value(MetricDefinitions.recordsFailed.name, { topic: 'payments' })).toBe(0);
  });

  it('summarizes a histogram series as count, sum, min and max', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), (values) => {
        const metrics = new MemoryMetrics();
        const duration = metrics.histogram(MetricDefinitions.transformDuration);
        for (const value of values) duration.observe({}, value);
        const summary = metrics.summary(MetricDefinitions.transformDuration.name);
        expect(summary?.count).toBe(values.length);
        expect(summary?.sum).toBeCloseTo(values.reduce((a, b) => a + b, 0), 3);
        expect(summary?.min).toBe(Math.min(...values));
        expect(summary?.max).toBe(Math.max(...values));
      }),
    );
  });

  it('has no summary for a series never observed, and a returned summary does not change afterwards', () => {
    const metrics = new MemoryMetrics();
    const duration = metrics.histogram(MetricDefinitions.transformDuration);
    expect(metrics.summary(MetricDefinitions.transformDuration.name)).toBeUndefined();
    duration.observe({}, 2);
    const first = metrics.summary(MetricDefinitions.transformDuration.name);
    duration.observe({}, 5);
    expect(first).toEqual({ count: 1, sum: 2, min: 2, max: 2 });
    expect(metrics.summary(MetricDefinitions.transformDuration.name)).toEqual({ count: 2, sum: 7, min: 2, max: 5 });
  });
});
