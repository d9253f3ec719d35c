import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SKIP, StoreError, encodeText, envelope, silentLogger, systemClock } from '../../core/index.ts';
import type { Envelope } from '../../core/index.ts';
import type { OrderEvent, Side, SideAnswer } from './events.ts';
import { LateArrivalError, joinOrders } from './join.ts';
import type { JoinStateStore, StateStoreKind } from './join-state.ts';
import { openJoinState } from './saga.ts';
import { resolveSagaSettings } from './settings.ts';
import { freshState } from './test-support.ts';
import type { FreshState } from './test-support.ts';

const windowMs = 1_000;
const topics = { payment: 'payment-orders', stock: 'stock-orders' } as const;
let offset = 0;

/** A consumed answer as the transform sees it; each call is a new Kafka record (a new offset). */
const answer = (side: Side, orderId: number, status: 'ACCEPT' | 'REJECT', timestamp = 1_000_000): Envelope<OrderEvent> => ({
  ...envelope({ topic: topics[side], partition: 0, offset: BigInt(offset++), key: encodeText(String(orderId)), value: null, timestamp }, 0),
  value: { orderId, status, customerId: `cust-${orderId}` },
});

const stored = (side: Side, orderId: number, recordKey: string): SideAnswer => ({
  status: 'ACCEPT',
  source: side === 'payment' ? 'PAYMENT' : 'INVENTORY',
  at: 1_000_000,
  recordKey,
  event: { orderId, status: 'ACCEPT' },
});

describe.each<StateStoreKind>(['postgres', 'redis'])('order saga join state in %s', (kind) => {
  let fresh: FreshState;
  let store: JoinStateStore;
  const signal = new AbortController().signal;

  beforeEach(async () => {
    fresh = freshState(kind);
    store = await openJoinState(resolveSagaSettings(fresh.options, process.env));
  });

  afterEach(async () => {
    await store.close();
    await fresh.cleanup();
  });

  it('keeps the first answer per side and the first decision, even when raced', async () => {
    const first = await store.join(1, 'payment', stored('payment', 1, 'p-a'), 10);
    expect(first).toMatchObject({ orderId: 1, payment: { recordKey: 'p-a' } });
    expect(first.stock).toBeUndefined();
    const again = await store.join(1, 'payment', { ...stored('payment', 1, 'p-b'), status: 'REJECT' }, 20);
    expect(again.payment).toMatchObject({ recordKey: 'p-a', status: 'ACCEPT' });

    // Both answers of 40 orders at once: for each order exactly one of the two writes sees both answers.
    const ids = Array.from({ length: 40 }, (_, i) => 100 + i);
    const states = await Promise.all(
      ids.flatMap((id) => [store.join(id, 'payment', stored('payment', id, `p${id}`), 30), store.join(id, 'stock', stored('stock', id, `s${id}`), 30)]),
    );
    for (const [i] of ids.entries()) {
      const complete = [states[2 * i]!, states[2 * i + 1]!].filter((state) => state.payment && state.stock);
      expect(complete).toHaveLength(1);
    }

    const decisions = await Promise.all(
      ['CONFIRMED', 'ROLLBACK', 'REJECTED'].map((status, i) =>
        store.decide(100, { status: status as 'CONFIRMED', source: null, decidedAt: 40 + i, decidedBy: `r${i}` }),
      ),
    );
    expect(new Set(decisions.map((d) => JSON.stringify(d))).size).toBe(1);
    expect((await store.get(100))?.decision).toEqual(decisions[0]);
    await expect(store.decide(999_999, { status: 'CONFIRMED', source: null, decidedAt: 1, decidedBy: 'x' })).rejects.toBeInstanceOf(StoreError);
  });

  it('pages orders by id and finds one by id', async () => {
    for (const id of [30, 5, 12, 7, 21]) await store.join(id, 'stock', stored('stock', id, `s${id}`), id);
    expect(await store.get(4)).toBeUndefined();
    expect((await store.get(12))?.stock?.recordKey).toBe('s12');
    const first = await store.list(0, 2);
    expect(first.total).toBe(5);
    expect(first.orders.map((o) => o.orderId)).toEqual([5, 7]);
    expect((await store.list(2, 2)).orders.map((o) => o.orderId)).toEqual([12, 21]);
    expect((await store.list(4, 2)).orders.map((o) => o.orderId)).toEqual([30]);
    expect((await store.list(6, 2)).orders).toEqual([]);
  });

  it('joins answers: one result per order, re-emitted only by the record that decided, late pairs dead-lettered', async () => {
    const join = joinOrders(store, { ...{ paymentTopic: topics.payment, stockTopic: topics.stock }, windowMs, clock: systemClock, logger: silentLogger });
    const run = (record: Envelope<OrderEvent>) => join(record.value, record, signal);

    const payment = answer('payment', 1, 'REJECT');
    expect(await run(payment)).toBe(SKIP);
    const stock = answer('stock', 1, 'ACCEPT');
    const result = await run(stock);
    expect(result).toEqual({ orderId: 1, status: 'ROLLBACK', source: 'PAYMENT', customerId: 'cust-1' });
    // The same record again (its batch aborted): the same result, since the first was not committed.
    expect(await run(stock)).toEqual(result);
    // Another record with the same answer, or one that would flip it: nothing.
    expect(await run(answer('stock', 1, 'ACCEPT'))).toBe(SKIP);
    expect(await run(answer('payment', 1, 'ACCEPT'))).toBe(SKIP);
    expect(await run(payment)).toBe(SKIP);

    // A repeated answer before the decision does not replace the first one.
    expect(await run(answer('stock', 2, 'REJECT'))).toBe(SKIP);
    expect(await run(answer('stock', 2, 'ACCEPT'))).toBe(SKIP);
    expect(await run(answer('payment', 2, 'REJECT'))).toMatchObject({ status: 'REJECTED', source: 'INVENTORY' });

    // Both answers processed at once, many times over: one result per order.
    const pairs = Array.from({ length: 30 }, (_, i) => [answer('payment', 10 + i, 'ACCEPT'), answer('stock', 10 + i, 'ACCEPT')]);
    const outputs = await Promise.all(pairs.flat().map(run));
    expect(outputs.filter((output) => output !== SKIP)).toHaveLength(30);

    // Further apart than the window: the second answer is late, every time it comes.
    expect(await run(answer('payment', 3, 'ACCEPT', 1_000_000))).toBe(SKIP);
    const late = answer('stock', 3, 'ACCEPT', 1_000_000 + windowMs + 1);
    await expect(run(late)).rejects.toThrow(LateArrivalError);
    await expect(run(late)).rejects.toThrow(/late arrival: order 3: the stock answer is 1001 ms apart from the payment answer, past the 1000 ms join window/);
    expect(await run(answer('stock', 3, 'ACCEPT', 1_000_000))).toBe(SKIP);
    expect((await store.get(3))?.decision).toMatchObject({ status: 'EXPIRED', source: 'INVENTORY' });
    // At the window's edge the answers still join.
    expect(await run(answer('stock', 4, 'ACCEPT', 1_000_000))).toBe(SKIP);
    expect(await run(answer('payment', 4, 'ACCEPT', 1_000_000 + windowMs))).toMatchObject({ status: 'CONFIRMED', source: null });
  });
});
