// Helpers for the webhook-hub integration tests: a hub of its own per test (tables, topic, keys), requests, rows.
import postgres from 'postgres';
import { silentLogger } from '../../core/index.ts';
import { databaseUrl, dropTables, uniqueName } from '../../adapters/postgres/testing.ts';
import { brokers, freshTopics, unique } from '../../adapters/kafka/testing.ts';
import { resolveHubOptions } from './config.ts';
import type { HubOptions, ResolvedHubOptions } from './config.ts';
import { startHub } from './hub.ts';
import type { Hub, HubDeps } from './hub.ts';

export const shopKey = { name: 'shop', key: `shop-${unique('key')}-secret` };
export const crmKey = { name: 'crm', key: `crm-${unique('key')}-secret` };

/** Options for a hub nobody else uses: its own table prefix and topic, fast relay passes. */
export async function isolatedOptions(overrides: HubOptions = {}): Promise<ResolvedHubOptions> {
  const prefix = uniqueName('hub');
  const { events } = await freshTopics('hub', 3, ['events']);
  return resolveHubOptions({
    port: 0,
    apiKeys: [shopKey, crmKey],
    databaseUrl,
    tablePrefix: prefix,
    brokers,
    topic: events,
    intervalMs: 100,
    retryInitialDelayMs: 50,
    retryMaxDelayMs: 200,
    ...overrides,
  });
}

export async function startTestHub(options: ResolvedHubOptions, deps: Partial<HubDeps> = {}): Promise<Hub> {
  return startHub(options, { logger: silentLogger, ...deps });
}

export const hubTableNames = (prefix: string): string[] => [`${prefix}_dead_letter_queue`, `${prefix}_outbox`, `${prefix}_events`];

export const dropHubTables = (prefix: string): Promise<void> => dropTables(hubTableNames(prefix));

/** A connection of the test's own, to look at the rows the hub committed. */
export const testSql = () => postgres(databaseUrl, { max: 2, onnotice: () => {} });

export function postEvent(
  url: string,
  body: unknown,
  options: { key?: string | null; contentType?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  const key = options.key === undefined ? shopKey.key : options.key;
  if (key !== null) headers['x-api-key'] = key;
  return fetch(`${url}/events`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** Polls until `check` returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
