import type { FailureCategory } from '../../core/index.ts';

/** What should become of a sample order: paid, or dead-lettered under a category (and after the fix, paid or not). */
export interface SampleOrder {
  readonly key: string;
  /** The record's value as produced: JSON, or text that is not JSON at all. */
  readonly value: string;
  readonly orderId: string;
  readonly expected: 'paid' | FailureCategory;
  /** Retries the charge takes with the default 3 attempts: transient failures, stalls, or attempts exhausted. */
  readonly retries: number;
  /** Paid once gateway v2 runs with a timeout above `slowMs` and the dead letters are replayed. */
  readonly paidAfterFix: boolean;
}

export interface SampleCounts {
  readonly good: number;
  readonly invalidJson: number;
  readonly invalidSchema: number;
  /** Fail twice with PROCESSING_ERROR, then succeed on the third attempt. */
  readonly transientFailures: number;
  /** Hang past the deadline once (TIMEOUT_ERROR), then succeed. */
  readonly transientStalls: number;
  /** JPY orders: gateway v1 answers 500 on every attempt. */
  readonly jpy: number;
  /** Answer after `slowMs`, past a v1 deadline below it: TIMEOUT_ERROR on every attempt. */
  readonly slow: number;
}

export const defaultSampleCounts: SampleCounts = {
  good: 10,
  invalidJson: 2,
  invalidSchema: 2,
  transientFailures: 3,
  transientStalls: 2,
  jpy: 2,
  slow: 1,
};

/**
 * A mix of orders showing every path through the pipeline, keyed by customer. `runId` keeps the order ids of one run
 * apart from another's; `slowMs` is how long the slow orders take at the gateway.
 */
export function sampleOrders(runId: string, slowMs: number, counts: SampleCounts = defaultSampleCounts): SampleOrder[] {
  const samples: SampleOrder[] = [];
  let n = 0;
  const add = (
    kind: keyof SampleCounts,
    make: (orderId: string, customerId: string) => { value: string; expected: SampleOrder['expected']; retries: number; paidAfterFix: boolean },
  ) => {
    for (let i = 0; i < counts[kind]; i++) {
      const orderId = `${runId}-${String(++n).padStart(4, '0')}`;
      const customerId = `cust-${n % 7}`;
      samples.push({ key: customerId, orderId, ...make(orderId, customerId) });
    }
  };
  const order = (orderId: string, customerId: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ orderId, customerId, amount: 42.5, currency: 'EUR', ...extra });

  add('good', (id, customer) => ({ value: order(id, customer), expected: 'paid', retries: 0, paidAfterFix: true }));
  add('invalidJson', (id) => ({ value: `{"orderId":"${id}","amount":`, expected: 'DESERIALIZATION_ERROR', retries: 0, paidAfterFix: false }));
  add('invalidSchema', (id, customer) => ({
    value: order(id, customer, { amount: -5, currency: 'XXX' }),
    expected: 'VALIDATION_ERROR',
    retries: 0,
    paidAfterFix: false,
  }));
  add('transientFailures', (id, customer) => ({
    value: order(id, customer, { simulate: { failures: 2 } }),
    expected: 'paid',
    retries: 2,
    paidAfterFix: true,
  }));
  add('transientStalls', (id, customer) => ({
    value: order(id, customer, { simulate: { stalls: 1 } }),
    expected: 'paid',
    retries: 1,
    paidAfterFix: true,
  }));
  add('jpy', (id, customer) => ({
    value: order(id, customer, { amount: 1200, currency: 'JPY' }),
    expected: 'PROCESSING_ERROR',
    retries: 2,
    paidAfterFix: true,
  }));
  add('slow', (id, customer) => ({
    value: order(id, customer, { simulate: { latencyMs: slowMs } }),
    expected: 'TIMEOUT_ERROR',
    retries: 2,
    paidAfterFix: true,
  }));
  return samples;
}
