import { describe, expect, it } from 'vitest';
import { freshTopics } from '../../adapters/kafka/testing.ts';
import { spawnCli, writeConfig } from '../testing/spawn-cli.ts';
import type { Runtime } from '../testing/spawn-cli.ts';
import { consoleToken, until, writeDeadLetters } from './testing.ts';

describe.each<Runtime>(['node', 'bun', 'deno'])('orchestron console on %s', (runtime) => {
  it('serves the login page, refuses what is not logged in, lists the dead letters, refuses a POST without its CSRF token, and stops on SIGTERM', async () => {
    const topics = await freshTopics(`console-${runtime}`, 1, ['in', 'dlq']);
    await writeDeadLetters(topics.dlq!, topics.in!, [{ id: 1 }, { id: 2, category: 'VALIDATION_ERROR', code: 'SCHEMA_MISMATCH' }]);
    const file = await writeConfig({
      topics: [topics.in],
      deadLetterTopic: topics.dlq,
      failureMode: 'skip-and-log',
      http: { host: '127.0.0.1', port: 0 },
      console: { token: consoleToken },
    });
    const cli = spawnCli(runtime, ['console', '--config', file]);
    try {
      const line = await cli.waitFor((l) => l.msg === 'console listening', 90_000);
      const url = String(line.url);
      expect(url).toMatch(/\/console$/);

      const login = await fetch(`${url}/login`);
      expect(login.status).toBe(200);
      expect(login.headers.get('content-security-policy')).toContain("script-src 'nonce-");
      expect(await login.text()).not.toContain(consoleToken);
      expect((await fetch(url, { headers: { accept: 'application/json' } })).status).toBe(401);

      const headers = { authorization: `Bearer ${consoleToken}`, accept: 'text/html' };
      let page = '';
      await until(async () => {
        page = await (await fetch(url, { headers })).text();
        return page.includes('SCHEMA_MISMATCH');
      }, 30_000, `the console on ${runtime} to list the dead letters`);
      expect(page).not.toContain(consoleToken);
      const refused = await fetch(`${url}/replays`, {
        method: 'POST',
        headers: { ...headers, origin: new URL(url).origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ rate: '10' }).toString(),
        redirect: 'manual',
      });
      expect(refused.status).toBe(403);

      cli.signal('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 180_000);
});
