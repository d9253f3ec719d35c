import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.ts';
import { replay } from '../../adapters/kafka/replay.ts';
import { brokers, freshTopics, readTopic } from '../../adapters/kafka/testing.ts';
import { validateConfig } from '../config/load.ts';
import { consoleBase } from './app.ts';
import { openConsole } from './open.ts';
import type { OpenConsole } from './open.ts';
import { consoleToken, until, writeDeadLetters } from './testing.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

const origin = 'http://console.test';
const headers = { authorization: `Bearer ${consoleToken}`, accept: 'text/html' };

describe('console: bulk replay on the real broker', () => {
  it('replays 1,000 dead letters at 100/s within 12 s and parks the rest as `orchestron replay` does', async () => {
    const topics = await freshTopics('console-replay', 3, ['in', 'dlq', 'cli']);
    const dlq = topics.dlq!;
    const replayable = Array.from({ length: 1_000 }, (_, i) => ({ id: i }));
    // Replayed once already and failed again, or cut to fit the dead-letter topic: parked, not replayed.
    const parkable = [
      ...Array.from({ length: 10 }, (_, i) => ({ id: 1_000 + i, replayCount: 1 })),
      ...Array.from({ length: 10 }, (_, i) => ({ id: 1_010 + i, truncated: true })),
    ];
    await writeDeadLetters(dlq, topics.in!, [...replayable.slice(0, 500), ...parkable, ...replayable.slice(500)]);

    const config = validateConfig({ topics: [topics.in], deadLetterTopic: dlq, kafka: { brokers }, console: { token: consoleToken } });
    const opened: OpenConsole = await openConsole({ config, baseDir: '.' }, { logger: silentLogger });
    closers.push(() => opened.close());
    const app = new Hono().route(consoleBase, opened.app);
    const request = (path: string, init: RequestInit = {}) => app.request(`${origin}${consoleBase}${path}`, init);
    await until(async () => /<strong id="selected">1020<\/strong>/.test(await (await request('', { headers })).text()), 30_000, 'the console to read the dead letters');

    const page = await (await request('', { headers })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const started = performance.now();
    const response = await request('/replays', {
      method: 'POST',
      headers: { ...headers, origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, category: 'PROCESSING_ERROR', rate: '100', maxReplays: '1' }).toString(),
    });
    expect(response.status).toBe(303);
    const progress = `${response.headers.get('location')!.slice(consoleBase.length)}/progress`;
    let last: { state: string; replayed: number; parked: number; selected: number } = { state: 'running', replayed: 0, parked: 0, selected: 0 };
    await until(async () => {
      last = (await (await request(progress, { headers })).json()) as typeof last;
      return last.state !== 'running';
    }, 30_000, 'the replay to finish');
    const seconds = (performance.now() - started) / 1000;
    expect(last).toMatchObject({ state: 'finished', selected: 1_020, replayed: 1_000, parked: 20 });
    expect(seconds).toBeLessThan(12);
    // At 100/s, 1,020 records take 10 s at least: the rate was kept.
    expect(seconds).toBeGreaterThan(9);

    const delivered = await readTopic(topics.in!, 1_000, 20_000);
    expect(delivered).toHaveLength(1_000);
    const parked = await readTopic(`${dlq}-parking`, 20, 20_000);
    expect(parked).toHaveLength(20);

    // What `orchestron replay` does with the same dead letters (its own group, its own target and parking topic).
    const cli = await replay({ brokers, dlqTopic: dlq, to: topics.cli!, parkingTopic: `${topics.cli}-parking`, ratePerSecond: 10_000, signal: AbortSignal.timeout(30_000) });
    expect({ replayed: cli.replayed, parked: cli.parked }).toEqual({ replayed: last.replayed, parked: last.parked });
    const parkedIds = (messages: typeof parked) => messages.map((m) => m.key.toString()).sort();
    expect(parkedIds(await readTopic(`${topics.cli}-parking`, 20, 20_000))).toEqual(parkedIds(parked));

    // The audit trail names who replayed what, read back from its topic.
    await until(async () => /replay-finished/.test(await (await request('/replays', { headers })).text()), 15_000, 'the audit trail');
    const audit = await (await request('/replays', { headers })).text();
    expect(audit).toContain('replay-started');
    expect(audit).toContain('&quot;category&quot;:&quot;PROCESSING_ERROR&quot;');

    // Another console on the same topics (a restart) reads the trail back: what the finished replay took is marked, and
    // a new replay of the same filter would take nothing unless asked.
    await opened.close();
    const reopened = await openConsole({ config, baseDir: '.' }, { logger: silentLogger });
    closers.push(() => reopened.close());
    const again = new Hono().route(consoleBase, reopened.app);
    const front = async () => (await again.request(`${origin}${consoleBase}?category=PROCESSING_ERROR`, { headers })).text();
    await until(async () => /also the 1020 this console replayed already/.test(await front()), 30_000, 'the restarted console to mark what was replayed');
    expect(await front()).toContain('Replay 0 dead letters');
  }, 120_000);
});
