import type { MiddlewareHandler } from 'hono';

/**
 * Last line of defence: a known secret (console token or password, SASL password, a store URL or its password) is
 * replaced by `***` in any text the console sends, wherever it came from (an error message, a header of a record).
 */
export function scrubSecrets(secrets: readonly string[]): MiddlewareHandler {
  const sorted = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type') ?? '';
    if (sorted.length === 0 || !/^(text\/|application\/json)/.test(type)) return;
    let body = await c.res.text();
    for (const secret of sorted) body = body.split(secret).join('***');
    c.res = new Response(body, { status: c.res.status, headers: c.res.headers });
  };
}
