import { afterEach, describe, expect, it } from 'vitest';
import { brokers, freshTopics } from '../../adapters/kafka/testing.ts';
import { configFile, consoleToken, startCli, until } from './testing.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

describe('console mounted by `orchestron run` (console.enabled)', () => {
  it("serves /console beside the health endpoints, behind its login, with the running service's readiness, breakers and lag", async () => {
    const topics = await freshTopics('console-run', 2, ['in', 'dlq']);
    const config = await configFile({
      topics: [topics.in],
      deadLetterTopic: topics.dlq,
      kafka: { brokers, groupId: `${topics.in}-group`, lagIntervalMs: 500 },
      http: { port: 0 },
      log: { level: 'warn' },
      console: { enabled: true },
    });
    closers.push(() => config.remove());
    const running = await startCli(['run', '--config', config.path], { CONSOLE_TOKEN: consoleToken });
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
