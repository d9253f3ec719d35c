import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchControl } from '../batch.ts';
import type { FailureMode } from '../context.ts';
import { pipelineContext } from '../context.ts';
import { envelope } from '../envelope.ts';
import { FailureCategories, ProcessingError, ValidationError } from '../errors.ts';
import { MemoryMetrics } from '../metrics/memory.ts';
import { MetricDefinitions } from '../metrics/names.ts';
import type { Counter, Labels } from '../metrics/metrics.ts';
import type { FailureLabels } from './failures.ts';
import { countFailures, failRecordOrBatch } from './failures.ts';

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

describe('failRecordOrBatch', () => {
  const settlement = { commit: async () => {}, abort: async () => {} };
  const controlOf = (failureMode: FailureMode) =>
    new BatchControl({ id: 1, positions: [], context: pipelineContext({ failureMode, maxDeliveries: 3 }), settlement });
  const record = (attempts: number) => envelope({ topic: 'in', partition: 0, offset: 7n, value: null, attempts }, 0);
  const busy = new ProcessingError('the rates service is busy');

  it('atomic: fails the whole batch on a retryable failure, until the record was delivered maxDeliveries times', () => {
    const control = controlOf('atomic');
    expect(failRecordOrBatch(control, record(3), busy)).toMatchObject({ reason: 'failed', error: busy });
    expect(control.failure).toBeUndefined();
    expect(failRecordOrBatch(control, record(1), busy)).toBeUndefined();
    expect(control.failure).toBe(busy);
  });

  it('fails the record alone otherwise, with its failure times and attempts', () => {
    const invalid = new ValidationError('no amount');
    const control = controlOf('skip-and-log');
    expect(failRecordOrBatch(control, record(1), busy, { firstFailureAt: 1, lastFailureAt: 2, attempts: 3 })).toEqual({
      record: record(1),
      reason: 'failed',
      error: busy,
      firstFailureAt: 1,
      lastFailureAt: 2,
      attempts: 3,
    });
    expect(failRecordOrBatch(controlOf('atomic'), record(1), invalid)).toMatchObject({ reason: 'failed', error: invalid });
    expect(control.failure).toBeUndefined();
  });
});
