import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../core/index.ts';
import { connectPostgres } from './connect.ts';
import { createPostgresDedupStore } from './dedup-store.ts';
import { createPostgresTracker } from './tracker.ts';
import { databaseUrl, dropTables, uniqueName } from './testing.ts';

const password = 'n0t-in-any-log';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A server that accepts connections and hangs up at once (after a greeting, if given), like a proxy with no database behind it. */
async function hangUpServer(greeting?: string): Promise<number> {
  const server = createServer((socket) => (greeting ? socket.resume().end(greeting) : socket.destroy()));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

const everything = (error: Error): string =>
  [error.message, error.stack, String(error.cause), (error.cause as Error | undefined)?.stack, JSON.stringify(error)].join('\n');

describe('connecting to Postgres', () => {
  it('names the server with its password redacted when nothing listens', async () => {
    const port = await closedPort();
    const url = `postgres://orchestron:${password}@127.0.0.1:${port}/orchestron`;
    for (const open of [() => createPostgresTracker({ url }), () => createPostgresDedupStore({ url }), () => connectPostgres({ url })]) {
      const error = await failure(open());
      expect(error.message).toContain(`cannot connect to PostgreSQL at postgres://orchestron:***@127.0.0.1:${port}/orchestron`);
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.retryable).toBe(true);
      expect(error.cause).toBeDefined();
      expect(everything(error)).not.toContain(password);
    }
  });

  it.each([
    ['hangs up on every connection', undefined],
    ['answers with something else and hangs up', 'HTTP/1.1 400 Bad Request\r\n\r\n'],
  ])('fails fast, instead of redialling forever, when a proxy %s', async (_, greeting) => {
    const port = await hangUpServer(greeting);
    const started = performance.now();
    const error = await failure(createPostgresTracker({ url: `postgres://orchestron:${password}@127.0.0.1:${port}/orchestron` }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.message).toContain('CONNECTION_CLOSED');
    expect(everything(error)).not.toContain(password);
  });

  it('refuses a wrong password or database as permanent, without showing the password', async () => {
    const server = new URL(databaseUrl);
    for (const [change, code] of [
      [(url: URL) => void (url.password = password), '28P01'],
      [(url: URL) => void (url.pathname = '/no_such_database'), '3D000'],
    ] as const) {
      const url = new URL(server);
      change(url);
      const error = await failure(connectPostgres({ url: url.toString() }));
      expect(error.message).toContain(code);
      expect(error.retryable).toBe(false);
      expect(everything(error)).not.toContain(password);
    }
  });

  it('times out a connection the server never answers', async () => {
    const server = createServer((socket) => socket.resume());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const error = await failure(connectPostgres({ url: `postgres://u:${password}@127.0.0.1:${port}/db`, connectTimeoutMs: 300 }));
    expect(error.message).toContain('CONNECT_TIMEOUT');
  });

  it('turns a statement timeout into a retryable StoreError the breaker can count', async () => {
    const table = uniqueName('orchestron_records_test');
    const tracker = await createPostgresTracker({ url: databaseUrl, trackerTable: table, statementTimeoutMs: 200 });
    const locker = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await tracker.ping();
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const locked = new Promise<void>((ready) => {
        void locker.begin(async (tx) => {
          await tx.unsafe(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
          ready();
          await held;
        });
      });
      await locked;
      const error = await failure(tracker.received([{ dedupKey: 'k', topic: 't', partition: 0, offset: 0n, attempts: 1 }]));
      release();
      expect(error.message).toContain('57014');
      expect(error.retryable).toBe(true);
      await tracker.received([{ dedupKey: 'k', topic: 't', partition: 0, offset: 0n, attempts: 1 }]);
      expect((await tracker.get(['k']))[0]?.status).toBe('RECEIVED');
    } finally {
      await locker.end();
      await tracker.close();
      await dropTables([table]);
    }
  });
});
