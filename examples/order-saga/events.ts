import * as v from 'valibot';

/** Which service answered: the payment service (`payment-orders`) or the stock service (`stock-orders`). */
export type Side = 'payment' | 'stock';
export const Sides: readonly Side[] = ['payment', 'stock'];
export const otherSide = (side: Side): Side => (side === 'payment' ? 'stock' : 'payment');

/** The source named in a result when a side rejected, as the seed names them. */
export const sourceOf: Readonly<Record<Side, string>> = { payment: 'PAYMENT', stock: 'INVENTORY' };

/**
 * A service's answer about an order (the seed's OrderDto on payment-orders and stock-orders): its id, ACCEPT or
 * REJECT, and whatever else the order carries, kept as it is.
 */
export const OrderEventSchema = v.looseObject({
  orderId: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  status: v.picklist(['ACCEPT', 'REJECT']),
  source: v.optional(v.nullable(v.string())),
});

export type OrderEvent = v.InferOutput<typeof OrderEventSchema>;
export type Verdict = OrderEvent['status'];

/** The seed's final statuses, plus EXPIRED: the two answers came further apart than the join window. */
export const OrderStatuses = ['CONFIRMED', 'REJECTED', 'ROLLBACK', 'EXPIRED'] as const;
export type OrderStatus = (typeof OrderStatuses)[number];

export interface Outcome {
  readonly status: OrderStatus;
  /** CONFIRMED: null; REJECTED: the stock answer's source; ROLLBACK: the side that rejected; EXPIRED: the late side. */
  readonly source: string | null;
}

/** One side as the join state keeps it. */
export interface SideAnswer {
  readonly status: Verdict;
  readonly source: string;
  /** The Kafka record's timestamp (epoch ms): what the join window is measured on. */
  readonly at: number;
  /** The record's identity (topic-partition-offset), to tell a redelivery from a duplicate. */
  readonly recordKey: string;
  readonly event: OrderEvent;
}

/**
 * The seed's OrderManageService.confirm: ACCEPT + ACCEPT = CONFIRMED; REJECT + REJECT = REJECTED (source from the
 * stock answer); one REJECT = ROLLBACK, with the side that rejected as its source.
 */
export function resolveOrder(payment: Pick<SideAnswer, 'status' | 'source'>, stock: Pick<SideAnswer, 'status' | 'source'>): Outcome {
  if (payment.status === 'ACCEPT' && stock.status === 'ACCEPT') return { status: 'CONFIRMED', source: null };
  if (payment.status === 'REJECT' && stock.status === 'REJECT') return { status: 'REJECTED', source: stock.source };
  return { status: 'ROLLBACK', source: payment.status === 'REJECT' ? sourceOf.payment : sourceOf.stock };
}
