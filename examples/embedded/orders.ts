/** Generated orders for the embedded demo: deterministic, with a few duplicates and poison records mixed in. */
export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly currency: 'EUR' | 'USD' | 'GBP';
  readonly lines: readonly OrderLine[];
  readonly createdAt: string;
}

export type Generated =
  | { readonly kind: 'order'; readonly order: Order }
  | { readonly kind: 'duplicate'; readonly order: Order }
  | { readonly kind: 'invalid-json'; readonly text: string }
  | { readonly kind: 'invalid-order'; readonly order: Order };

/** A small seeded generator (mulberry32), so every run shows the same figures. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const currencies = ['EUR', 'USD', 'GBP'] as const;

export function* generateOrders(count: number, random: () => number): Generator<Generated> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  let previous: Order | undefined;
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.004) {
      yield { kind: 'invalid-json', text: `{"orderId":"ord-${i}","lines":[` };
      continue;
    }
    const order: Order = {
      orderId: `ord-${String(i).padStart(6, '0')}`,
      customerId: `cust-${Math.floor(random() * 500)}`,
      currency: pick(currencies),
      createdAt: new Date(Date.UTC(2026, 10, 1) + i * 1_000).toISOString(),
      lines: Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
        sku: `sku-${Math.floor(random() * 2_000)}`,
        quantity: 1 + Math.floor(random() * 5),
        unitPrice: Math.round(random() * 20_000) / 100,
      })),
    };
    if (roll < 0.008) {
      yield { kind: 'invalid-order', order: { ...order, lines: [{ sku: 'sku-0', quantity: -1, unitPrice: 1 }] } };
    } else if (roll < 0.02 && previous) {
      yield { kind: 'duplicate', order: previous };
    } else {
      yield { kind: 'order', order };
    }
    previous = order;
  }
}
