import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokers, freshTopics } from '../../adapters/kafka/testing.ts';
import { consoleToken, startCli, until } from './testing.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

describe('console mounted by `orchestron run` (console.enabled)', () => {
  it("serves /console beside the health endpoints, behind its login, with the running service's readiness, breakers and lag", async () => {
    const topics = await freshTopics('console-run', 2, ['in', 'dlq']);
    const dir = await mkdtemp(join(tmpdir(), 'orchestron-console-run-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const configFile = join(dir, 'run.json');
    await writeFile(
      configFile,
      JSON.stringify({
        topics: [topics.in],
        deadLetterTopic: topics.dlq,
        kafka: { brokers, groupId: `${topics.in}-group`, lagIntervalMs: 500 },
        http: { port: 0 },
        log: { level: 'warn' },
        console: { enabled: true },
      }),
    );
    const running = await startCli(['run', '--config', configFile], { CONSOLE_TOKEN: consoleToken });
    closers.push(() => running.stop());
    const auth = { authorization: `Bearer ${consoleToken}` };

    expect((await fetch(`${running.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${running.url}/console/status`)).status).toBe(401);
    let status = '';
    await until(async () => {
      status = await (await fetch(`${running.url}/console/status`, { headers: auth })).text();
      return status.includes('id="lag"');
    }, 30_000, 'the lag of the assigned partitions');
    expect(status).toContain('running service');
    expect(status).toContain('pipeline');
    expect(status).toContain(topics.in);
    expect(status).not.toContain(consoleToken);
    expect(await running.stop()).toBe(0);
  }, 60_000);
});
