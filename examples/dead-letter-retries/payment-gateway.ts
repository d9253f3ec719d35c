import { ProcessingError } from '../../core/index.ts';
import type { Order, Payment } from './order.ts';

export const GatewayVersions = ['v1', 'v2'] as const;
export type GatewayVersion = (typeof GatewayVersions)[number];

const zeroDecimal = new Set<string>(['JPY']);

const wait = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * The example's downstream service, simulated in process: it charges an order, obeying the order's `simulate`
 * directions. v1 has the bug the replay story needs: it converts every amount to cents, and the gateway answers a
 * JPY amount in "cents" with a 500, so JPY orders fail on every attempt (PROCESSING_ERROR, retried, then
 * dead-lettered). v2 knows JPY has no minor unit.
 */
export class PaymentGateway {
  readonly version: GatewayVersion;
  readonly #attempts = new Map<string, number>();

  constructor(version: GatewayVersion) {
    this.version = version;
  }

  /** Attempts made so far for an order, on this instance. */
  attemptsFor(orderId: string): number {
    return this.#attempts.get(orderId) ?? 0;
  }

  async charge(order: Order, signal: AbortSignal): Promise<Payment> {
    const attempt = this.attemptsFor(order.orderId) + 1;
    this.#attempts.set(order.orderId, attempt);
    const { failures = 0, stalls = 0, latencyMs = 0 } = order.simulate ?? {};
    if (attempt <= failures) {
      throw new ProcessingError(`payment gateway unavailable (503) for order ${order.orderId}, attempt ${attempt}`);
    }
    if (attempt <= failures + stalls) await wait(2_147_483_647, signal);
    if (latencyMs > 0) await wait(latencyMs, signal);
    const noMinorUnit = zeroDecimal.has(order.currency);
    if (noMinorUnit && this.version === 'v1') {
      throw new ProcessingError(`payment gateway error (500) for order ${order.orderId}: ${order.currency} amount sent in cents`);
    }
    return {
      orderId: order.orderId,
      customerId: order.customerId,
      amount: order.amount,
      currency: order.currency,
      amountMinor: Math.round(noMinorUnit ? order.amount : order.amount * 100),
      paymentId: `pay-${order.orderId}`,
      gateway: this.version,
      chargedAt: new Date().toISOString(),
    };
  }
}
