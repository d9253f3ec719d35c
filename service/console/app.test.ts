import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ConfigError, DeadLetterHeaders, MemoryTracker, silentLogger } from '../../core/index.ts';
import { validateConfig } from '../config/load.ts';
import { redactConfig } from '../config/redact.ts';
import type { ReplayRunner } from './replay-jobs.ts';
import { consoleApp, consoleBase } from './app.ts';
import { deadLetterEntry } from './dead-letter-entry.ts';
import { DeadLetterIndex } from './dead-letter-index.ts';
import { ReplayJobs } from './replay-jobs.ts';

const token = 'console-token-0123456789';
const password = 'basic-password-42';
const saslPassword = 'sasl-password-77';
const dbPassword = 'db-password-99';
const origin = 'http://console.test';

const text = (value: string) => new TextEncoder().encode(value);

function deadLetter(offset: number, fields: { topic?: string; category?: string; code?: string; failedAt?: string; value?: string; extra?: Record<string, string> } = {}) {
  const headers = new Map<string, Uint8Array>([
    [DeadLetterHeaders.sourceTopic, text(fields.topic ?? 'orders')],
    [DeadLetterHeaders.sourcePartition, text('0')],
    [DeadLetterHeaders.sourceOffset, text(String(offset))],
    [DeadLetterHeaders.category, text(fields.category ?? 'PROCESSING_ERROR')],
    [DeadLetterHeaders.code, text(fields.code ?? 'PROCESSING_FAILED')],
    [DeadLetterHeaders.message, text(`failed at ${offset}`)],
    [DeadLetterHeaders.lastFailureAt, text(fields.failedAt ?? '2026-01-02T03:04:05.000Z')],
    ...Object.entries(fields.extra ?? {}).map(([k, v]) => [k, text(v)] as const),
  ]);
  return deadLetterEntry({ partition: 0, offset: BigInt(offset), timestamp: 0n, key: text(`k${offset}`), value: text(fields.value ?? `{"id":${offset}}`), headers }, 4_096);
}

function setup(options: { basic?: boolean } = {}) {
  const index = new DeadLetterIndex(100);
  index.add(deadLetter(1));
  index.add(deadLetter(2, { topic: 'payments', category: 'VALIDATION_ERROR', code: 'SCHEMA_MISMATCH' }));
  index.add(
    deadLetter(3, {
      value: '<script>alert("x")</script><img src=x onerror=alert(1)>',
      extra: { note: '<script>document.cookie</script>', cause: `could not reach postgres://app:${dbPassword}@db:5432/app` },
    }),
  );
  const tracker = new MemoryTracker();
  const calls: Parameters<ReplayRunner>[0][] = [];
  const run: ReplayRunner = async (o) => {
    calls.push(o);
    return { read: 3, replayed: 1, parked: 0, skipped: 2, byCategory: {} };
  };
  const jobs = new ReplayJobs({ dlqTopic: 'orders-dlq', index, run, logger: silentLogger });
  const app = new Hono();
  app.route(
    consoleBase,
    consoleApp({
      dlqTopic: 'orders-dlq',
      credentials: { token, ...(options.basic ? { basic: { username: 'ops', password } } : {}) },
      secrets: [token, password, saslPassword, dbPassword, 'orchestron'],
      index,
      tracker,
      jobs,
      status: async () => ({ source: 'standalone', readiness: 'n/a', breakers: 'n/a', lag: [], throughput: 'n/a' }),
      maxReplayRate: 500,
      sessionTtlMs: 60_000,
    }),
  );
  const request = (path: string, init: RequestInit = {}) => app.request(`${origin}${consoleBase}${path}`, init);
  return { app, request, calls, tracker, jobs };
}

const bearer = { authorization: `Bearer ${token}`, accept: 'text/html' };
const csrfOf = (page: string) => /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/x-www-form-urlencoded', ...extra });

describe('console: authentication', () => {
  it('serves nothing but the login page without credentials', async () => {
    const { request } = setup();
    const html = await request('', { headers: { accept: 'text/html' } });
    expect(html.status).toBe(302);
    expect(html.headers.get('location')).toBe(`${consoleBase}/login`);
    for (const path of ['', '/status', '/replays', '/records/0-1', '/replays/x/progress', '/nothing-here']) {
      const response = await request(path);
      expect(response.status, path).toBe(401);
      expect(await response.text()).not.toContain('orders');
    }
    expect((await request('/replays', { method: 'POST' })).status).toBe(401);
    const login = await request('/login');
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Log in');
  });

  it('takes the token as a bearer token and refuses a wrong one', async () => {
    const { request } = setup();
    expect((await request('', { headers: bearer })).status).toBe(200);
    expect((await request('', { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    expect((await request('', { headers: { authorization: 'Bearer ' } })).status).toBe(401);
  });

  it('takes basic auth when configured', async () => {
    const { request } = setup({ basic: true });
    const basic = (user: string, pass: string) => ({ authorization: `Basic ${btoa(`${user}:${pass}`)}` });
    expect((await request('', { headers: basic('ops', password) })).status).toBe(200);
    expect((await request('', { headers: basic('ops', `${password}!`) })).status).toBe(401);
    expect((await request('', { headers: basic('other', password) })).status).toBe(401);
    const refused = await request('/');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('logs in with the form: a CSRF-checked POST sets an HttpOnly SameSite=Strict cookie that grants access', async () => {
    const { request } = setup({ basic: true });
    const csrf = csrfOf(await (await request('/login')).text());
    const noToken = await request('/login', { method: 'POST', headers: formHeaders({ origin }), body: form({ password: token }) });
    expect(noToken.status).toBe(403);
    const wrong = await request('/login', { method: 'POST', headers: formHeaders({ origin }), body: form({ _csrf: csrf, username: 'ops', password: 'nope-nope' }) });
    expect(wrong.status).toBe(401);
    const ok = await request('/login', { method: 'POST', headers: formHeaders({ origin }), body: form({ _csrf: csrf, username: 'ops', password }) });
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/console/);
    const session = cookie.split(';')[0]!;
    const page = await request('', { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('ops');
    const logout = await request('/logout', { method: 'POST', headers: formHeaders({ origin, cookie: session }), body: form({ _csrf: csrfOf(await (await request('', { headers: { cookie: session } })).text()) }) });
    expect(logout.status).toBe(303);
    expect((await request('', { headers: { cookie: session } })).status).toBe(401);
  });
});

describe('console: replay is a POST with a CSRF token from the console itself', () => {
  it('refuses a POST without the token, with another session’s token, or from another origin; starts the replay otherwise', async () => {
    const { request, calls } = setup();
    const csrf = csrfOf(await (await request('', { headers: bearer })).text());
    const body = form({ _csrf: csrf, category: 'PROCESSING_ERROR', rate: '50', maxReplays: '1' });
    expect((await request('/replays', { method: 'POST', headers: formHeaders({ ...bearer, origin }), body: form({ rate: '50' }) })).status).toBe(403);
    expect((await request('/replays', { method: 'POST', headers: formHeaders({ ...bearer, origin: 'http://evil.test' }), body })).status).toBe(403);
    expect((await request('/replays', { method: 'POST', headers: formHeaders(bearer), body })).status).toBe(403);
    expect(calls).toHaveLength(0);
    const started = await request('/replays', { method: 'POST', headers: formHeaders({ ...bearer, origin }), body });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toMatch(/^\/console\/replays\/[\w-]+$/);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ dlqTopic: 'orders-dlq', ratePerSecond: 50, maxReplays: 1 });
    // The selection: the two PROCESSING_ERROR dead letters at offsets 1 and 3, not the VALIDATION_ERROR one.
    const select = calls[0]!.select!;
    const at = (offset: number) => ({ partition: 0, offset: BigInt(offset) }) as never;
    expect([1, 2, 3].map((o) => select(at(o)))).toEqual([true, false, true]);
  });

  it('leaves out of a new replay what a finished replay of the console took, marks it on the page, and takes it again only when asked', async () => {
    const { request, calls, jobs } = setup();
    const csrf = csrfOf(await (await request('', { headers: bearer })).text());
    const replayAll = (extra: Record<string, string> = {}) =>
      request('/replays', { method: 'POST', headers: formHeaders({ ...bearer, origin }), body: form({ _csrf: csrf, rate: '50', maxReplays: '1', ...extra }) });
    const at = (offset: number) => ({ partition: 0, offset: BigInt(offset) }) as never;
    const selection = (n: number) => [1, 2, 3].map((o) => calls[n]!.select!(at(o)));
    const settled = async () => {
      while (jobs.list().some((job) => job.state === 'running')) await new Promise((resolve) => setTimeout(resolve, 1));
    };

    expect((await replayAll({ category: 'VALIDATION_ERROR' })).status).toBe(303);
    await settled();
    expect(selection(0)).toEqual([false, true, false]);
    const page = await (await request('', { headers: bearer })).text();
    expect(page).toContain('also the 1 this console replayed already');
    expect(page).toContain('Replay 2 dead letters');
    expect(page.match(/\+ console<\/a>/g)).toHaveLength(1);

    expect((await replayAll()).status).toBe(303);
    await settled();
    expect(selection(1)).toEqual([true, false, true]);
    expect((await replayAll({ includeReplayed: 'on' })).status).toBe(303);
    await settled();
    expect(selection(2)).toEqual([true, true, true]);
  });

  it('refuses a rate above console.maxReplayRate', async () => {
    const { request, calls } = setup();
    const csrf = csrfOf(await (await request('', { headers: bearer })).text());
    const response = await request('/replays', { method: 'POST', headers: formHeaders({ ...bearer, origin }), body: form({ _csrf: csrf, rate: '501' }) });
    expect(response.status).toBe(400);
    expect(calls).toHaveLength(0);
  });
});

describe('console: pages', () => {
  it('sends a CSP that allows only the nonce’s inline script, and forbids framing', async () => {
    const { request } = setup();
    for (const path of ['', '/login']) {
      const response = await request(path, { headers: bearer });
      const csp = response.headers.get('content-security-policy') ?? '';
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      const page = await response.text();
      for (const tag of page.match(/<(script|style)\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
    }
  });

  it('shows a payload and headers with markup in them as text, never as HTML', async () => {
    const { request } = setup();
    const page = await (await request('/records/0-3', { headers: bearer })).text();
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&lt;script&gt;document.cookie&lt;/script&gt;');
    expect(page).not.toMatch(/<script>alert|<img src=x|<script>document/);
  });

  it('filters by category, topic and code, and counts what the filter selects', async () => {
    const { request } = setup();
    const all = await (await request('', { headers: bearer })).text();
    expect(all).toMatch(/<strong id="selected">3<\/strong>/);
    const payments = await (await request('?topic=payments', { headers: bearer })).text();
    expect(payments).toMatch(/<strong id="selected">1<\/strong>/);
    expect(payments).toContain('SCHEMA_MISMATCH');
    const code = await (await request('?code=PROCESSING_FAILED&category=PROCESSING_ERROR', { headers: bearer })).text();
    expect(code).toMatch(/<strong id="selected">2<\/strong>/);
    expect(code).toContain('<svg');
  });

  it('joins the tracker row of the record a dead letter came from', async () => {
    const { request, tracker } = setup();
    await tracker.failed([{ dedupKey: 'orders-0-1', topic: 'orders', partition: 0, offset: 1n, attempts: 3, category: 'PROCESSING_ERROR', errorMessage: 'boom' }]);
    const page = await (await request('/records/0-1', { headers: bearer })).text();
    expect(page).toContain('FAILED, 3 attempt(s)');
  });

  it('never shows a secret, even one inside a dead letter’s header', async () => {
    const { request } = setup({ basic: true });
    for (const path of ['', '/records/0-3', '/replays', '/status', '/login']) {
      const page = await (await request(path, { headers: bearer })).text();
      for (const secret of [token, password, saslPassword, dbPassword]) expect(page, `${path}`).not.toContain(secret);
    }
    expect(await (await request('/records/0-3', { headers: bearer })).text()).toContain('postgres://app:***@db');
  });

  it('leaves the pages’ own words alone when a secret is an ordinary word', async () => {
    const { request } = setup();
    const page = await (await request('', { headers: bearer })).text();
    expect(page).toContain('orchestron console');
  });
});

describe('console: configuration', () => {
  it('refuses to enable the console without a credential, or without the HTTP port it is served on', () => {
    expect(() => validateConfig({ topics: ['orders'], console: { enabled: true } })).toThrow(ConfigError);
    expect(() => validateConfig({ topics: ['orders'], console: { enabled: true } })).toThrow(/console\.token/);
    expect(() => validateConfig({ topics: ['orders'], http: { enabled: false }, console: { enabled: true, token } })).toThrow(/console\.enabled/);
    expect(() => validateConfig({ topics: ['orders'], console: { token: 'short' } })).toThrow(/console\.token/);
  });

  it('takes the credentials from the environment, and `check` prints them redacted', () => {
    const config = validateConfig({ topics: ['orders'], console: { enabled: true } }, { CONSOLE_TOKEN: token, CONSOLE_USERNAME: 'ops', CONSOLE_PASSWORD: password });
    expect(config.console).toMatchObject({ token, basicAuth: { username: 'ops', password } });
    const shown = JSON.stringify(redactConfig(config));
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(password);
  });
});
