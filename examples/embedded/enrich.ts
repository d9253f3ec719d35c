import { ProcessingError, ValidationError } from '../../core/index.ts';
import type { Order } from './orders.ts';

export interface EnrichedOrder extends Order {
  readonly customerTier: 'gold' | 'silver' | 'bronze';
  readonly subtotal: number;
  readonly tax: number;
  readonly total: number;
  readonly totalEur: number;
}

const taxRates = { EUR: 0.2, USD: 0.08, GBP: 0.2 } as const;
const toEur = { EUR: 1, USD: 0.92, GBP: 1.17 } as const;

const round = (value: number): number => Math.round(value * 100) / 100;

const tierOf = (customerId: string): EnrichedOrder['customerTier'] => {
  const n = Number(customerId.split('-')[1] ?? 0);
  return n % 10 === 0 ? 'gold' : n % 3 === 0 ? 'silver' : 'bronze';
};

/**
 * The business step of the demo. A "pricing service" that fails now and then (retried), and a business rule that
 * rejects bad orders for good (dead-lettered as VALIDATION_ERROR).
 */
export function enricher(flakiness: () => boolean) {
  return (order: Order): EnrichedOrder => {
    const bad = order.lines.find((line) => line.quantity <= 0);
    if (bad) throw new ValidationError(`order ${order.orderId}: quantity must be positive (sku ${bad.sku})`);
    if (flakiness()) throw new ProcessingError(`pricing service timed out for ${order.orderId}`);
    const subtotal = round(order.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0));
    const tax = round(subtotal * taxRates[order.currency]);
    const total = round(subtotal + tax);
    return { ...order, customerTier: tierOf(order.customerId), subtotal, tax, total, totalEur: round(total * toEur[order.currency]) };
  };
}
