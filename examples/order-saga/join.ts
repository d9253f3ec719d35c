import { ConfigError, SKIP, ValidationError, recordFields } from '../../core/index.ts';
import type { Clock, Envelope, Logger, TransformFn } from '../../core/index.ts';
import type { OrderEvent, OrderStatus, Outcome, Side, SideAnswer } from './events.ts';
import { otherSide, resolveOrder, sourceOf } from './events.ts';
import type { JoinStateStore } from './join-state.ts';

/** An answer whose partner came further away in time than the join window: dead-lettered as VALIDATION_ERROR. */
export class LateArrivalError extends ValidationError {
  constructor(message: string) {
    super(message);
    this.name = 'LateArrivalError';
  }
}

/** What goes to the orders topic: the seed's result, the stock answer with the final status and source. */
export type OrderResult = Record<string, unknown> & {
  readonly orderId: number;
  readonly status: Exclude<OrderStatus, 'EXPIRED'>;
  readonly source: string | null;
};

/** What processing one answer came to: still waiting for its partner, ignored as a duplicate, or the order's outcome. */
export type JoinOutcome = 'waiting' | 'duplicate' | OrderStatus;

export interface JoinOptions {
  readonly paymentTopic: string;
  readonly stockTopic: string;
  /** Two answers join when their record timestamps are at most this far apart (the seed's JoinWindows, 10 s). */
  readonly windowMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onOutcome?: (outcome: JoinOutcome) => void;
}

/**
 * The join of payment and stock answers by order id, as a transform. Each answer is stored (first per side wins);
 * the answer that completes the pair proposes the outcome and a conditional write keeps the first proposal. Only the
 * record that decided emits the result — again when it is redelivered, since its earlier output was not committed —
 * so a duplicate answer, before or after the decision, changes nothing and emits nothing.
 */
export function joinOrders(store: JoinStateStore, options: JoinOptions): TransformFn<OrderEvent, OrderResult> {
  const { paymentTopic, stockTopic, windowMs, clock, logger } = options;
  if (paymentTopic === stockTopic) throw new ConfigError('stockTopic', 'must differ from paymentTopic');
  const note = options.onOutcome ?? (() => {});
  const sideOf = (record: Envelope<unknown>): Side => {
    if (record.topic === paymentTopic) return 'payment';
    if (record.topic === stockTopic) return 'stock';
    throw new ConfigError('topics', `record from ${record.topic}, which is neither ${paymentTopic} nor ${stockTopic}`);
  };

  const propose = (payment: SideAnswer, stock: SideAnswer, decider: Side): Outcome =>
    Math.abs(payment.at - stock.at) > windowMs ? { status: 'EXPIRED', source: sourceOf[decider] } : resolveOrder(payment, stock);

  return async (event, record) => {
    const side = sideOf(record);
    const orderId = event.orderId;
    const answer: SideAnswer = { status: event.status, source: event.source ?? sourceOf[side], at: record.timestamp, recordKey: record.dedupKey, event };
    const state = await store.join(orderId, side, answer, clock.now());
    const fields = { ...recordFields(record), orderId, side };
    let decision = state.decision;
    if (!decision) {
      const { payment, stock } = state;
      if (!payment || !stock) {
        const duplicate = state[side]?.recordKey !== record.dedupKey;
        if (duplicate) logger.debug(fields, 'order saga: repeated answer ignored, the first one stands');
        note(duplicate ? 'duplicate' : 'waiting');
        return SKIP;
      }
      decision = await store.decide(orderId, { ...propose(payment, stock, side), decidedAt: clock.now(), decidedBy: record.dedupKey });
    }
    if (decision.decidedBy !== record.dedupKey) {
      logger.debug({ ...fields, status: decision.status }, 'order saga: answer for a decided order ignored');
      note('duplicate');
      return SKIP;
    }
    note(decision.status);
    if (decision.status === 'EXPIRED') {
      const mine = state[side]!;
      const other = state[otherSide(side)]!;
      throw new LateArrivalError(
        `late arrival: order ${orderId}: the ${side} answer is ${Math.abs(mine.at - other.at)} ms apart from the ${otherSide(side)} answer, ` +
          `past the ${windowMs} ms join window`,
      );
    }
    logger.debug({ ...fields, status: decision.status, source: decision.source }, 'order saga: order decided');
    return { ...state.stock!.event, orderId, status: decision.status, source: decision.source };
  };
}
