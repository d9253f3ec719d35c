import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../core/index.ts';
import { RedisDedupStore, RedisTracker } from './index.ts';
import { REDIS_URL, deletePrefix, freshPrefix } from './testing.ts';

const password = 'pa55-w0rd-never-shown';

async function listen(onConnection: (socket: Socket) => void = () => {}): Promise<Server> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = await listen();
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startError(start: () => Promise<unknown>): Promise<StoreError> {
  const error = await start().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

/** Everything a logger could print about an error, cause included. */
const everything = (error: Error) => `${error.message} ${error.stack} ${inspect(error, { depth: 5 })} ${JSON.stringify(error)}`;

describe('redis connection errors', () => {
  it('a server down at start: a StoreError naming the URL, password redacted, quickly', async () => {
    const port = await closedPort();
    const started = performance.now();
    const error = await startError(() => RedisTracker.connect({ url: `redis://orchestron:${password}@127.0.0.1:${port}/0` }));
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(error).toMatchObject({ code: 'STORE_ERROR', retryable: true });
    expect(error.message).toContain(`redis://orchestron:***@127.0.0.1:${port}/0`);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(everything(error)).not.toContain(password);
  });

  it('the same for the dedup store', async () => {
    const port = await closedPort();
    const error = await startError(() => RedisDedupStore.connect({ url: `redis://:${password}@127.0.0.1:${port}` }));
    expect(error.message).toContain(`redis: cannot connect to redis://:***@127.0.0.1:${port}`);
    expect(everything(error)).not.toContain(password);
  });

  it('credentials the server refuses: the reason, never the password', async () => {
    const url = new URL(REDIS_URL);
    url.username = 'no-such-user';
    url.password = password;
    const error = await startError(() => RedisTracker.connect({ url: url.toString() }));
    expect(error.message).toMatch(/WRONGPASS|NOAUTH|ERR/);
    expect(everything(error)).not.toContain(password);
  });

  it('a server that accepts but never answers: rejected after the command timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = await listen((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    const { port } = silent.address() as AddressInfo;
    try {
      const started = performance.now();
      const error = await startError(() => RedisDedupStore.connect({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 300 }));
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(error.message).toContain(`redis://127.0.0.1:${port}`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('ping answers when the server is up, and close is idempotent', async () => {
    const keyPrefix = freshPrefix('ping');
    const tracker = await RedisTracker.connect({ url: REDIS_URL, keyPrefix });
    const store = await RedisDedupStore.connect({ url: REDIS_URL, keyPrefix });
    await tracker.ping();
    await store.ping();
    await tracker.close();
    await tracker.close();
    await store.close();
    await expect(store.seen(['a'])).rejects.toMatchObject({ code: 'STORE_ERROR' });
    await deletePrefix(keyPrefix);
  });
});
