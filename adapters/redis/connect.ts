import { Redis } from 'ioredis';
import { StoreError, messageOf, redactUrl, silentLogger } from '../../core/index.ts';
import type { Logger } from '../../core/index.ts';
import type { ResolvedRedisOptions } from './options.ts';

/** A client error without its `command` (a failed handshake's arguments can hold the password). */
function sanitized(error: unknown): Error {
  const copy = new Error(messageOf(error));
  copy.name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

/** ioredis's fail-fast rejections, in words that say what happened. */
function describe(error: unknown): string {
  const message = messageOf(error);
  if (/max retries per request/i.test(message)) return 'connection lost before the reply came (the command may have run)';
  if (/enableOfflineQueue/.test(message)) return 'not connected (reconnecting in the background)';
  return message;
}

/** A failed store call as a retryable StoreError naming the operation and the server (password redacted). */
export function storeError(operation: string, url: string, error: unknown): StoreError {
  return new StoreError(`redis ${operation} failed (${redactUrl(url)}): ${describe(error)}`, { cause: sanitized(error) });
}

/**
 * Opens an ioredis client that fails fast while the server is gone: no offline queue (a command sent while
 * disconnected rejects at once), in-flight commands rejected when the connection drops instead of being resent, and a
 * deadline per command. It keeps reconnecting in the background with capped backoff, so a circuit breaker can open,
 * then close again once the server is back. Rejects with a StoreError naming the URL (password redacted) when the
 * first connection fails.
 */
export async function connectRedis(options: ResolvedRedisOptions, logger: Logger = silentLogger): Promise<Redis> {
  const url = redactUrl(options.url);
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    connectionName: options.connectionName,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 16), options.reconnectMaxDelayMs),
    // Grace for a closing socket to flush before it is destroyed (ioredis waits 2 s, keeping a failed start alive).
    disconnectTimeout: 300,
  });

  let healthy = false;
  let lastError: unknown;
  // A listener must always be attached: an 'error' event without one is printed to stderr by ioredis.
  client.on('error', (error: unknown) => {
    lastError = error;
    if (healthy) logger.warn({ url, error: messageOf(error) }, 'redis connection lost; store calls fail until it is back');
    else logger.debug({ url, error: messageOf(error) }, 'redis connection attempt failed');
    healthy = false;
  });
  client.on('ready', () => {
    if (lastError !== undefined) logger.info({ url }, 'redis connection ready');
    healthy = true;
  });

  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const reason = messageOf(lastError ?? error);
    throw new StoreError(`redis: cannot connect to ${url}: ${reason}`, { cause: sanitized(lastError ?? error) });
  }
  return client;
}

/** QUIT when connected (pending replies arrive first), then drop the socket and stop reconnecting. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
    } catch {
      // The connection is going away anyway.
    }
  }
  client.disconnect();
}
