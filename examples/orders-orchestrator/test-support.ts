// Helpers for the example's integration tests: reading Prometheus text, waiting for a condition, sample orders.
import type { Order } from './orders.ts';

/** The value of one sample in Prometheus exposition text, matched on its name and exactly these labels. */
export function sample(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    const wanted = Object.entries(labels);
    if (Object.keys(found).length === wanted.length && wanted.every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** Polls `check` until it returns something other than undefined; fails naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const sampleOrder = (id: number, quantity = 1 + (id % 3)): Order => ({
  id,
  customerId: `cust-${id % 7}`,
  currency: (['EUR', 'USD', 'GBP'] as const)[id % 3]!,
  lines: [{ sku: `sku-${id % 11}`, quantity, unitPrice: 10 + (id % 5) }],
});

/** Orders keyed by customer, as the seed's producers key them. */
export const asRecords = (orders: readonly Order[]) => orders.map((order) => ({ key: order.customerId, value: order }));
