import type { OrderStatus, Side, SideAnswer } from './events.ts';

/** The outcome for an order, written once. */
export interface Decision {
  readonly status: OrderStatus;
  readonly source: string | null;
  /** Epoch ms. */
  readonly decidedAt: number;
  /** The record whose processing decided (topic-partition-offset): only its redelivery emits the result again. */
  readonly decidedBy: string;
}

/** Everything known about one order. */
export interface JoinState {
  readonly orderId: number;
  readonly payment?: SideAnswer;
  readonly stock?: SideAnswer;
  readonly decision?: Decision;
  /** Epoch ms of the last change. */
  readonly updatedAt: number;
}

export interface OrdersPage {
  /** Orders known, decided or not. */
  readonly total: number;
  /** In order id order. */
  readonly orders: readonly JoinState[];
}

/**
 * Where the saga keeps both answers of an order until they meet, and the decision after: Redis or Postgres. Both
 * writes are conditional and atomic, since they happen outside the Kafka transaction and may be repeated by a
 * redelivery or raced by the other side's record processed at the same moment.
 */
export interface JoinStateStore {
  /** Stores the answer for `side` unless that side already has one (the first wins), and returns the state after. */
  join(orderId: number, side: Side, answer: SideAnswer, now: number): Promise<JoinState>;
  /** Stores the decision unless the order already has one, and returns the decision that is stored. */
  decide(orderId: number, decision: Decision): Promise<Decision>;
  get(orderId: number): Promise<JoinState | undefined>;
  /** Orders by id, `offset` and `limit` counted in orders. */
  list(offset: number, limit: number): Promise<OrdersPage>;
  /** A cheap round trip, for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const StateStoreKinds = ['postgres', 'redis'] as const;
export type StateStoreKind = (typeof StateStoreKinds)[number];
