import { afterEach, describe, expect, it } from 'vitest';
import { MemoryMetrics, createMetrics, sleep, silentLogger, systemClock } from '../../core/index.ts';
import { databaseUrl, dropTables, uniqueName } from '../../adapters/postgres/testing.ts';
import { TcpProxy } from '../../adapters/testing/tcp-proxy.ts';
import { validateConfig } from '../config/load.ts';
import type { Stores } from './stores.ts';
import { openStores } from './stores.ts';

const server = new URL(databaseUrl);
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** Polls `check` every 50 ms until it holds or `timeoutMs` passes; returns whether it held. */
async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (check()) return true;
    await sleep(systemClock, 50);
  }
  return check();
}

describe('the service stores after an outage with no traffic', () => {
  it("close their breakers by themselves (the store's ping is the probe), clearing the breaker_open metric", async () => {
    const proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    cleanups.push(() => proxy.close());
    const table = uniqueName('orchestron_records_probe');
    cleanups.push(() => dropTables([table]));
    const config = validateConfig({
      topics: ['orders'],
      store: 'postgres',
      trackerStrategy: 'LIGHTWEIGHT',
      postgres: { url: proxy.url(databaseUrl), trackerTable: table, poolSize: 2 },
      breaker: { failureThreshold: 2, openMs: 300, callTimeoutMs: 1_000 },
    });
    const memory = new MemoryMetrics();
    const stores: Stores = await openStores(config, { logger: silentLogger, clock: systemClock, metrics: createMetrics(memory) });
    cleanups.push(() => stores.close());
    const breaker = stores.trackerBreaker;
    if (!breaker || !stores.tracker) throw new Error('expected a tracker behind a breaker');
    const tracker = stores.tracker;

    proxy.cut();
    const ping = tracker.ping?.bind(tracker);
    if (!ping) throw new Error('the Postgres tracker answers pings');
    for (let i = 0; i < 3; i++) await breaker.call(ping).catch(() => {});
    expect(breaker.state).toBe('open');
    expect(memory.value('orchestron_breaker_open', { breaker: 'postgres-tracker' })).toBe(1);

    await proxy.restore();
    // No call goes through the breaker from here on: only its own probe can close it.
    expect(await eventually(() => breaker.state === 'closed', 10_000)).toBe(true);
    expect(memory.value('orchestron_breaker_open', { breaker: 'postgres-tracker' })).toBe(0);
  });
});
