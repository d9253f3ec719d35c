import { ConfigError } from '../../core/index.ts';

/** Node and Bun say EADDRINUSE in `code`; Deno throws `Deno.errors.AddrInUse`. */
const inUse = (error: unknown): boolean => {
  const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  return code === 'EADDRINUSE' || name === 'AddrInUse' || (typeof message === 'string' && /address already in use|port \d+ in use/i.test(message));
};

/**
 * What a failed listen means for the user: a port taken by another process (a second instance on the same host) names
 * the setting to change and how to pick any free port; anything else is left as it is.
 */
export function listenError(error: unknown, where: { readonly host: string; readonly port: number }): unknown {
  if (!inUse(error)) return error;
  return new ConfigError(
    'http.port',
    `${where.host}:${where.port} is already in use (another process, or another orchestron instance on this host, listens there); ` +
      'set http.port (env HTTP_PORT) to a free port, or to 0 to take any free port (the URL is in the "listening" log line)',
  );
}
