// A user transform for the sample configs: `transform.module` points here; the default export is used.
import { ValidationError } from '../../core/index.ts';

interface Order {
  readonly orderId: string;
  readonly amount: number;
  readonly currency?: string;
}

export default function enrich(order: Order) {
  if (typeof order.amount !== 'number') throw new ValidationError(`order ${order.orderId}: amount must be a number`);
  return { ...order, currency: order.currency ?? 'EUR', amountCents: Math.round(order.amount * 100), enrichedAt: new Date().toISOString() };
}
