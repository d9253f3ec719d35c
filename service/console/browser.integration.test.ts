import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { brokers, freshTopics, readTopic } from '../../adapters/kafka/testing.ts';
import { createPostgresTracker } from '../../adapters/postgres/tracker.ts';
import { databaseUrl, dropTables, uniqueName } from '../../adapters/postgres/testing.ts';
import { configFile, consoleToken, startCli, until, writeDeadLetters } from './testing.ts';

/** Screenshots of each step, kept as test artefacts (git-ignored). */
const artefacts = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

describe('console in a real browser (headless Chromium) over the broker and the Postgres tracker', () => {
  it('logs in, filters, opens a record safely, replays a selection at a rate and shows it delivered and parked', async () => {
    await mkdir(artefacts, { recursive: true });
    const topics = await freshTopics('console-browser', 2, ['in', 'dlq']);
    const start = Date.now() - 50 * 60_000;
    const at = (minutes: number) => new Date(start + minutes * 60_000);
    await writeDeadLetters(topics.dlq!, topics.in!, [
      ...Array.from({ length: 24 }, (_, i) => ({ id: i, failedAt: at(i * 2) })),
      ...Array.from({ length: 6 }, (_, i) => ({ id: 100 + i, category: 'VALIDATION_ERROR', code: 'SCHEMA_MISMATCH', failedAt: at(10 + i * 5) })),
      ...Array.from({ length: 3 }, (_, i) => ({ id: 200 + i, replayCount: 1, failedAt: at(40 + i) })),
      { id: 300, category: 'DESERIALIZATION_ERROR', code: 'DECODE_FAILED', value: '<script>window.__pwned = true; alert(1)</script><img src=x onerror="window.__pwned=true">', failedAt: at(45) },
    ]);

    const table = uniqueName('console_records');
    closers.push(() => dropTables([table]));
    const tracker = await createPostgresTracker({ url: databaseUrl, trackerTable: table });
    closers.push(() => tracker.close());
    await tracker.failed(
      [0, 1, 2, 300].map((id) => ({ dedupKey: `${topics.in}-0-${id}`, topic: topics.in!, partition: 0, offset: BigInt(id), attempts: 3, category: 'PROCESSING_ERROR' as const, errorMessage: `record ${id} failed` })),
    );

    const config = await configFile({
      topics: [topics.in],
      deadLetterTopic: topics.dlq,
      store: 'postgres',
      trackerStrategy: 'LIGHTWEIGHT',
      postgres: { trackerTable: table, poolSize: 2 },
      kafka: { brokers },
      log: { level: 'warn' },
      console: { port: 0 },
    });
    closers.push(() => config.remove());
    const running = await startCli(['console', '--config', config.path], { CONSOLE_TOKEN: consoleToken, DATABASE_URL: databaseUrl });
    closers.push(() => running.stop());
    const base = `${running.url}/console`;

    const profile = await mkdtemp(join(tmpdir(), 'orchestron-chromium-'));
    closers.push(() => rm(profile, { recursive: true, force: true }));
    const browser: BrowserContext = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    closers.push(() => browser.close());
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const shot = (name: string) => page.screenshot({ path: join(artefacts, `${name}.png`), fullPage: true });

    // Not logged in: the login page, and nothing else.
    await page.goto(base);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await shot('login');
    await page.fill('input[name=password]', 'not-the-token-at-all');
    await page.click('button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('wrong credentials');
    await page.fill('input[name=password]', consoleToken);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(await page.content()).not.toContain(consoleToken);

    // Every dead letter read, then the overview.
    await until(async () => {
      await page.reload();
      return (await page.textContent('#selected')) === '34';
    }, 30_000, 'the dead letters in the console');
    await shot('overview');

    // Filter: one category.
    await page.selectOption('select[name=category]', 'PROCESSING_ERROR');
    await page.click('#filter button[type=submit]');
    expect(await page.textContent('#selected')).toBe('27');
    expect(await page.locator('#records tbody tr').count()).toBe(27);
    expect(await page.textContent('#records')).toContain('FAILED, 3 attempt(s)');
    await shot('filtered');

    // One record whose payload is markup: shown as text, never run.
    await page.goto(`${base}?category=DESERIALIZATION_ERROR`);
    await page.click('#records tbody tr a');
    expect(await page.textContent('#payload')).toContain('<script>window.__pwned = true; alert(1)</script>');
    expect(await page.textContent('#record')).toContain('FAILED, 3 attempt(s)');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(await page.locator('#payload script, #payload img').count()).toBe(0);
    await shot('record');

    // Replay the PROCESSING_ERROR selection at 20/s: 24 delivered, the 3 replayed before parked.
    await page.goto(`${base}?category=PROCESSING_ERROR`);
    await page.fill('input[name=rate]', '20');
    await page.click('#replay button[type=submit]');
    expect(new URL(page.url()).pathname).toMatch(/^\/console\/replays\/[\w-]+$/);
    // The page's own (nonce) script polls the progress until the job ends.
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'finished', undefined, { timeout: 30_000 });
    expect(await page.textContent('#replayed')).toBe('24');
    expect(await page.textContent('#parked')).toBe('3');
    await shot('replay');
    expect(await readTopic(topics.in!, 24, 20_000)).toHaveLength(24);
    expect(await readTopic(`${topics.dlq}-parking`, 3, 20_000)).toHaveLength(3);

    // The audit trail: who replayed what, read back from its topic.
    await until(async () => {
      await page.goto(`${base}/replays`);
      return (await page.locator('#audit tbody tr').count()) >= 2;
    }, 15_000, 'the audit trail');
    expect(await page.textContent('#audit')).toContain('replay-finished');
    expect(await page.textContent('#audit')).toContain('token');
    await shot('replays');

    await page.goto(`${base}/status`);
    expect(await page.textContent('main')).toContain('not available standalone');
    await shot('status');

    // A POST without the page's CSRF token is refused, even from the console's own origin.
    const forged = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', body: new URLSearchParams({ rate: '10' }) })).status, `${base}/replays`);
    expect(forged).toBe(403);
    expect(dialogs).toEqual([]);
    await browser.close();
    expect(await running.stop()).toBe(0);
  }, 120_000);
});
