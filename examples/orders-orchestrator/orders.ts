import * as v from 'valibot';
import { ValidationError } from '../../core/index.ts';
import type { TransformFn } from '../../core/index.ts';

/** An order as it arrives on the source topic; records that do not match are dead-lettered as VALIDATION_ERROR. */
export const OrderSchema = v.object({
  id: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  customerId: v.pipe(v.string(), v.minLength(1)),
  currency: v.picklist(['EUR', 'USD', 'GBP']),
  lines: v.pipe(
    v.array(
      v.object({
        sku: v.pipe(v.string(), v.minLength(1)),
        quantity: v.pipe(v.number(), v.safeInteger()),
        unitPrice: v.pipe(v.number(), v.minValue(0)),
      }),
    ),
    v.minLength(1),
  ),
});

export type Order = v.InferOutput<typeof OrderSchema>;

export interface EnrichedOrder extends Order {
  readonly itemCount: number;
  readonly subtotal: number;
  readonly tax: number;
  readonly total: number;
}

const taxRates: Readonly<Record<Order['currency'], number>> = { EUR: 0.2, USD: 0.08, GBP: 0.2 };

const cents = (value: number): number => Math.round(value * 100) / 100;

/**
 * The sample transformer (the seed's `MessageTransformer` bean): prices the order. A line with a quantity below 1
 * breaks a business rule no retry can fix, so it throws ValidationError and the order is dead-lettered.
 */
export const enrichOrder: TransformFn<Order, EnrichedOrder> = (order) => {
  const bad = order.lines.find((line) => line.quantity < 1);
  if (bad) throw new ValidationError(`order ${order.id}: quantity must be at least 1 (sku ${bad.sku})`);
  const subtotal = cents(order.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0));
  const tax = cents(subtotal * taxRates[order.currency]);
  return {
    ...order,
    itemCount: order.lines.reduce((sum, line) => sum + line.quantity, 0),
    subtotal,
    tax,
    total: cents(subtotal + tax),
  };
};
