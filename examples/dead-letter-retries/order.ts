import * as v from 'valibot';

export const Currencies = ['EUR', 'USD', 'GBP', 'JPY'] as const;

const count = v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)));

/**
 * What the example's simulated payment gateway should do with an order, so a run shows every failure category:
 * fail the first `failures` attempts (PROCESSING_ERROR), then hang on the next `stalls` attempts until the
 * transform's deadline (TIMEOUT_ERROR), and answer after `latencyMs`.
 */
export const SimulationSchema = v.strictObject({ failures: count, stalls: count, latencyMs: count });

/** An order as it arrives on the input topic. A value that breaks this schema is dead-lettered as VALIDATION_ERROR. */
export const OrderSchema = v.object({
  orderId: v.pipe(v.string(), v.nonEmpty()),
  customerId: v.pipe(v.string(), v.nonEmpty()),
  amount: v.pipe(v.number(), v.finite(), v.gtValue(0)),
  currency: v.picklist(Currencies),
  simulate: v.optional(SimulationSchema),
});

export type Order = v.InferOutput<typeof OrderSchema>;

/** What the pipeline writes to the output topic for a paid order. */
export interface Payment {
  readonly orderId: string;
  readonly customerId: string;
  readonly amount: number;
  readonly currency: Order['currency'];
  /** The amount in the currency's smallest unit, as sent to the gateway. */
  readonly amountMinor: number;
  readonly paymentId: string;
  readonly gateway: string;
  readonly chargedAt: string;
}
