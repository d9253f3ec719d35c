import { afterEach, describe, expect, it } from 'vitest';
import { freshTopics, produceRecords, readTopic, unique } from '../../adapters/kafka/testing.ts';
import { createLogger } from '../../service/logging.ts';
import type { StateStoreKind } from './join-state.ts';
import type { OrderView } from './orders-api.ts';
import { startOrderSaga } from './saga.ts';
import type { OrderSaga } from './saga.ts';
import { resolveSagaSettings } from './settings.ts';
import { eventually, freshState } from './test-support.ts';
import type { FreshState } from './test-support.ts';

const windowMs = 5_000;
let saga: OrderSaga | undefined;
let fresh: FreshState | undefined;

afterEach(async () => {
  await saga?.stop();
  await fresh?.cleanup();
  saga = undefined;
  fresh = undefined;
});

type Answer = 'ACCEPT' | 'REJECT';
const answer = (orderId: number, status: Answer) => ({ key: String(orderId), value: { orderId, customerId: `cust-${orderId % 5}`, status } });

/** Sample from Prometheus text by name and exact labels. */
const sample = (text: string, name: string, labels: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};

describe.each<StateStoreKind>(['postgres', 'redis'])('order-saga example, join state in %s', (kind) => {
  it('decides every outcome once, ignores duplicates, dead-letters late and poison answers, and serves the status with paging', async () => {
    const topics = await freshTopics('order-saga', 3, ['payment', 'stock', 'orders', 'dlq']);
    fresh = freshState(kind);
    const settings = resolveSagaSettings(
      {
        ...fresh.options,
        paymentTopic: topics.payment,
        stockTopic: topics.stock,
        ordersTopic: topics.orders,
        dlqTopic: topics.dlq,
        groupId: unique('order-saga'),
        instanceId: unique('order-saga'),
        joinWindowMs: windowMs,
        commitIntervalMs: 50,
        httpPort: 0,
      },
      process.env,
    );
    saga = await startOrderSaga(settings, { logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
    const running = saga;

    // Orders 1–4: every outcome; 5: a second, different payment answer before the stock one; 10–34: for paging;
    // 6: only its payment answer for now. Plus a record that is not JSON.
    const confirmed = Array.from({ length: 25 }, (_, i) => 10 + i);
    const payments = [answer(1, 'ACCEPT'), answer(2, 'REJECT'), answer(3, 'REJECT'), answer(4, 'ACCEPT'), answer(5, 'ACCEPT'), answer(5, 'REJECT')];
    const stocks = [answer(1, 'ACCEPT'), answer(2, 'REJECT'), answer(3, 'ACCEPT'), answer(4, 'REJECT'), answer(5, 'ACCEPT')];
    await produceRecords(topics.payment!, [answer(6, 'ACCEPT')]);
    const sixSentBy = Date.now();
    await Promise.all([
      produceRecords(topics.payment!, [...payments, ...confirmed.map((id) => answer(id, 'ACCEPT')), { key: 'poison', value: '{"orderId": 7,' }]),
      produceRecords(topics.stock!, [...stocks, ...confirmed.map((id) => answer(id, 'ACCEPT'))]),
    ]);
    await eventually('30 results and the poison dead-lettered', () => {
      const stats = running.stats();
      return stats.emitted === 30 && stats.deadLettered === 1 ? stats : undefined;
    });

    // After the decisions: the same answer again, and answers that would flip the result.
    await produceRecords(topics.payment!, [answer(1, 'REJECT'), answer(3, 'ACCEPT')]);
    await produceRecords(topics.stock!, [answer(3, 'ACCEPT'), answer(2, 'ACCEPT')]);
    // Order 6's stock answer, further from its payment answer than the window.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sixSentBy + windowMs + 500 - Date.now())));
    await produceRecords(topics.stock!, [answer(6, 'ACCEPT')]);
    const stats = await eventually('the duplicates held and the late answer dead-lettered', () => {
      const now = running.stats();
      return now.held === 32 + 4 && now.deadLettered === 2 ? now : undefined;
    });
    expect(stats.emitted).toBe(30);

    const output = await readTopic(topics.orders!, 30);
    const results = output.map((m) => JSON.parse(m.value.toString()) as { orderId: number; status: string; source: string | null });
    expect(results).toHaveLength(30);
    expect(new Set(results.map((r) => r.orderId)).size).toBe(30);
    expect(output.every((m) => m.key.toString() === String(JSON.parse(m.value.toString()).orderId))).toBe(true);
    const byId = new Map(results.map((r) => [r.orderId, r]));
    expect(byId.get(1)).toMatchObject({ status: 'CONFIRMED', source: null, customerId: 'cust-1' });
    expect(byId.get(2)).toMatchObject({ status: 'REJECTED', source: 'INVENTORY' });
    expect(byId.get(3)).toMatchObject({ status: 'ROLLBACK', source: 'PAYMENT' });
    expect(byId.get(4)).toMatchObject({ status: 'ROLLBACK', source: 'INVENTORY' });
    expect(byId.get(5)).toMatchObject({ status: 'CONFIRMED', source: null });
    expect(confirmed.every((id) => byId.get(id)?.status === 'CONFIRMED')).toBe(true);

    const dlq = await readTopic(topics.dlq!, 2);
    const dead = new Map(dlq.map((m) => [m.key.toString(), m.headers]));
    expect(dead.get('poison')?.get('error_category')?.toString()).toBe('DESERIALIZATION_ERROR');
    const late = dead.get('6');
    expect(late?.get('error_category')?.toString()).toBe('VALIDATION_ERROR');
    expect(late?.get('source_topic')?.toString()).toBe(topics.stock);
    expect(late?.get('error_message')?.toString()).toMatch(/^late arrival: order 6: the stock answer is \d+ ms apart from the payment answer, past the 5000 ms join window$/);

    const get = async (path: string) => {
      const response = await fetch(`${running.url}${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect((await get('/orders/1')).body).toMatchObject({ orderId: 1, status: 'CONFIRMED', source: null, payment: 'ACCEPT', stock: 'ACCEPT' });
    expect((await get('/orders/3')).body).toMatchObject({ status: 'ROLLBACK', source: 'PAYMENT', payment: 'REJECT', stock: 'ACCEPT' });
    expect((await get('/orders/5')).body).toMatchObject({ status: 'CONFIRMED', payment: 'ACCEPT' });
    expect((await get('/orders/6')).body).toMatchObject({ status: 'EXPIRED', source: 'INVENTORY', payment: 'ACCEPT', stock: 'ACCEPT' });
    expect((await get('/orders/999')).status).toBe(404);
    expect((await get('/orders/abc')).status).toBe(400);
    const ids = async (query: string) => {
      const { status, body } = await get(`/orders${query}`);
      expect(status).toBe(200);
      return { ...body, orders: (body.orders as OrderView[]).map((o) => o.orderId) };
    };
    expect(await ids('?page=0&size=10')).toEqual({ page: 0, size: 10, total: 31, pages: 4, orders: [1, 2, 3, 4, 5, 6, 10, 11, 12, 13] });
    expect((await ids('?page=1&size=10')).orders).toEqual(confirmed.slice(4, 14));
    expect((await ids('?page=3&size=10')).orders).toEqual([34]);
    expect((await ids('?page=4&size=10')).orders).toEqual([]);
    expect((await ids('')).orders).toHaveLength(10);
    expect((await get('/orders?size=0')).status).toBe(400);
    expect((await get('/orders?size=101')).status).toBe(400);
    expect((await get('/orders?page=-1')).status).toBe(400);

    const text = await running.scrape();
    // Every answer processed once (no batch was aborted): the first of each pair waited, the second decided.
    expect(stats.batchesAborted).toBe(0);
    const outcomes = { waiting: 31, duplicate: 5, CONFIRMED: 27, REJECTED: 1, ROLLBACK: 2, EXPIRED: 1 };
    for (const [outcome, count] of Object.entries(outcomes)) expect(sample(text, 'order_saga_answers_total', `outcome="${outcome}"`), outcome).toBe(count);
    // The answers that decided count as processed, from whichever topic each came.
    const ok = [topics.payment, topics.stock].map((topic) => sample(text, 'orchestron_records_ok_total', `topic="${topic}"`) ?? 0);
    expect(ok[0]! + ok[1]!).toBe(30);
    expect(sample(text, 'orchestron_records_dead_lettered_total', `topic="${topics.stock}",category="VALIDATION_ERROR"`)).toBe(1);
    expect((await get('/health/ready')).status).toBe(200);
  });
});
