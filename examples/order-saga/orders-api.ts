import { Hono } from 'hono';
import type { Verdict } from './events.ts';
import type { JoinState, JoinStateStore } from './join-state.ts';

/** An order as the API shows it: its status (PENDING until decided), which side caused it, and both answers so far. */
export interface OrderView {
  readonly orderId: number;
  readonly status: string;
  readonly source: string | null;
  readonly payment: Verdict | null;
  readonly stock: Verdict | null;
  readonly decidedAt: string | null;
}

export const viewOf = (state: JoinState): OrderView => ({
  orderId: state.orderId,
  status: state.decision?.status ?? 'PENDING',
  source: state.decision?.source ?? null,
  payment: state.payment?.status ?? null,
  stock: state.stock?.status ?? null,
  decidedAt: state.decision ? new Date(state.decision.decidedAt).toISOString() : null,
});

export const maxPageSize = 100;

const wholeNumber = (text: string | undefined, fallback: number): number | undefined => {
  if (text === undefined || text === '') return fallback;
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
};

/**
 * The seed's queryable order status: `GET /orders?page=&size=` (page from 0, size 1 to 100, default 10; orders by
 * id, decided or not) and `GET /orders/:id`.
 */
export function ordersApi(store: JoinStateStore): Hono {
  const app = new Hono();
  app.get('/orders', async (c) => {
    const page = wholeNumber(c.req.query('page'), 0);
    const size = wholeNumber(c.req.query('size'), 10);
    if (page === undefined || size === undefined || size < 1 || size > maxPageSize) {
      return c.json({ error: `page must be a whole number from 0, size one from 1 to ${maxPageSize}` }, 400);
    }
    const { total, orders } = await store.list(page * size, size);
    return c.json({ page, size, total, pages: Math.ceil(total / size), orders: orders.map(viewOf) });
  });
  app.get('/orders/:id', async (c) => {
    const id = wholeNumber(c.req.param('id'), -1);
    if (id === undefined || id < 0) return c.json({ error: 'the order id must be a whole number' }, 400);
    const state = await store.get(id);
    return state ? c.json(viewOf(state)) : c.json({ error: `no order ${id}` }, 404);
  });
  return app;
}
