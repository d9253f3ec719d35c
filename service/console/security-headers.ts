import type { MiddlewareHandler } from 'hono';
import { randomToken } from './secret-compare.ts';

export type ConsoleEnv = { Variables: { nonce: string; user: string; identity: string } };

/**
 * Every console response: no inline script but the one carrying this response's nonce, no framing, no sniffing, no
 * caching, no referrer.
 */
export const securityHeaders: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
  const nonce = randomToken(16);
  c.set('nonce', nonce);
  await next();
  c.res.headers.set(
    'content-security-policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  );
  c.res.headers.set('x-frame-options', 'DENY');
  c.res.headers.set('x-content-type-options', 'nosniff');
  c.res.headers.set('referrer-policy', 'same-origin');
  c.res.headers.set('cache-control', 'no-store');
};
