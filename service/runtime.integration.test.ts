import { describe, expect, it } from 'vitest';
import { audit, freshTopics, produceRecords, readCommittedWithKcat, unique } from '../adapters/kafka/testing.ts';
import { TcpProxy } from '../adapters/testing/tcp-proxy.ts';
import { spawnCli, writeConfig } from './testing/spawn-cli.ts';
import type { Runtime } from './testing/spawn-cli.ts';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://orchestron:orchestron@127.0.0.1:5432/orchestron';
const slowTransform = new URL('./testing/slow-transform.ts', import.meta.url).pathname;

const records = (count: number) => Array.from({ length: count }, (_, id) => ({ key: `k${id % 60}`, value: { id } }));

async function poll<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      // not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

const recordsOk = async (url: string, topic: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`orchestron_records_ok_total{topic="${topic}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

const readiness = async (url: string) => {
  const response = await fetch(`${url}/health/ready`);
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
};

describe.each<Runtime>(['node', 'bun'])('orchestron run on %s against the real services', (runtime) => {
  it('moves records end to end, counts them in /metrics, and is not ready while Postgres is unreachable', async () => {
    const topics = await freshTopics(`rt-${runtime}`);
    const count = 3_000;
    await produceRecords(topics.in!, records(count));
    const target = new URL(databaseUrl);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const file = await writeConfig({
      transport: 'kafka',
      topics: [topics.in],
      outputTopic: topics.out,
      failureMode: 'atomic',
      trackerStrategy: 'OUTBOX',
      store: 'postgres',
      postgres: { trackerTable: `rt_${unique('t').replace(/-/g, '_')}` },
      breaker: { failureThreshold: 2, openMs: 2_000, callTimeoutMs: 1_000 },
      kafka: { groupId: unique('rt-group'), instanceId: unique('rt') },
      http: { port: 0, host: '127.0.0.1' },
    });
    const cli = spawnCli(runtime, ['run', '--config', file], { DATABASE_URL: proxy.url(databaseUrl) });
    try {
      const url = await cli.url(60_000);
      const output = audit(await readCommittedWithKcat(topics.out!, count), count);
      expect(output).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
      expect(await poll('records_ok_total', () => recordsOk(url, topics.in!), (n) => n >= count, 15_000)).toBe(count);
      expect((await poll('ready', () => readiness(url), (r) => r.status === 200, 15_000)).body.status).toBe('ready');

      proxy.cut();
      const down = await poll('not ready', () => readiness(url), (r) => r.status === 503, 20_000);
      expect(down.body.status).toBe('not-ready');
      expect(down.body.checks.tracker).toMatch(/^(unreachable|no answer)/);

      proxy.restore();
      const up = await poll('ready again', () => readiness(url), (r) => r.status === 200, 30_000);
      expect(up.body.checks).toMatchObject({ tracker: 'ok', assignment: 'ok' });

      cli.signal('SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(cli.lines.some((line) => line.msg === 'stopped' && line.forced === false)).toBe(true);
    } finally {
      cli.child.kill('SIGKILL');
      await proxy.close();
    }
  });

  it('drains on SIGTERM under load and exits 0; the restart duplicates nothing (exactly-once)', async () => {
    const topics = await freshTopics(`rt-term-${runtime}`);
    const count = 20_000;
    await produceRecords(topics.in!, records(count));
    const file = await writeConfig({
      transport: 'kafka',
      topics: [topics.in],
      outputTopic: topics.out,
      failureMode: 'atomic',
      kafka: { groupId: unique('rt-term'), instanceId: unique('rt-term'), batchSize: 200 },
      transform: { module: slowTransform, concurrency: 8 },
      http: { port: 0, host: '127.0.0.1' },
      shutdown: { deadlineMs: 10_000 },
    });
    const env = { SLOW_TRANSFORM_MS: '2' };
    const first = spawnCli(runtime, ['run', '--config', file], env);
    const second = { cli: undefined as ReturnType<typeof spawnCli> | undefined };
    try {
      const url = await first.url(60_000);
      const before = await poll('some records committed', () => recordsOk(url, topics.in!), (n) => n >= 1_000, 60_000);
      expect(before).toBeLessThan(count);
      const signalled = Date.now();
      first.signal('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      const stopped = await first.waitFor((line) => line.msg === 'stopped', 1_000);
      expect(stopped.forced).toBe(false);

      second.cli = spawnCli(runtime, ['run', '--config', file], { SLOW_TRANSFORM_MS: '0' });
      const output = audit(await readCommittedWithKcat(topics.out!, count, 180_000), count);
      expect(output).toEqual({ records: count, distinct: count, duplicates: 0, missing: [] });
      second.cli.signal('SIGTERM');
      expect(await second.cli.exited).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
      second.cli?.child.kill('SIGKILL');
    }
  });
});
