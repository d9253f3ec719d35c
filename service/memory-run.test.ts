import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli, writeConfig } from './testing/spawn-cli.ts';
import type { Runtime } from './testing/spawn-cli.ts';

const slowTransform = new URL('./testing/slow-transform.ts', import.meta.url).pathname;
const secretPayload = 'card-4111-1111';

async function inputFile(good: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestron-input-'));
  const file = join(dir, 'input.jsonl');
  const lines = Array.from({ length: good }, (_, id) => JSON.stringify({ id, note: secretPayload }));
  lines.push(`{"id": "broken ${secretPayload}`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each<Runtime>(['node', 'bun', 'deno'])('orchestron run with the in-memory transport on %s', { timeout: 90_000 }, (runtime) => {
  it('processes the input, serves health and metrics, logs record lines without payloads, and drains on SIGTERM', async () => {
    const good = 500;
    const file = await writeConfig({
      transport: 'memory',
      topics: ['orders'],
      outputTopic: 'enriched',
      failureMode: 'skip-and-log',
      trackerStrategy: 'OUTBOX',
      memory: { inputFile: await inputFile(good) },
      http: { port: 0, host: '127.0.0.1' },
      log: { level: 'info', records: true },
    });
    const cli = spawnCli(runtime, ['run', '--config', file]);
    try {
      const url = await cli.url(30_000);
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const metrics = await until(
        async () => (await fetch(`${url}/metrics`)).text(),
        (text) => text.includes(`orchestron_records_ok_total{topic="orders"} ${good}`),
      );
      expect(metrics).toContain('orchestron_records_dead_lettered_total{topic="orders",category="DESERIALIZATION_ERROR"} 1');
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { pipeline: 'ok', tracker: 'ok', assignment: 'ok' } });

      const recordLines = cli.lines.filter((line) => line.msg === 'record committed');
      expect(recordLines).toHaveLength(good);
      expect(recordLines[0]).toMatchObject({ topic: 'orders', dedupKey: expect.stringMatching(/^orders-\d+-\d+$/), partition: expect.any(Number), offset: expect.any(String) });
      const failed = cli.lines.find((line) => line.msg === 'record failed');
      expect(failed).toMatchObject({ category: 'DESERIALIZATION_ERROR', topic: 'orders' });
      expect(cli.output()).not.toContain(secretPayload);

      cli.signal('SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(cli.lines.at(-1)).toMatchObject({ msg: 'stopped', forced: false, records: good + 1 });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('exits at once with 130 on a second signal while draining', async () => {
    const file = await writeConfig({
      transport: 'memory',
      topics: ['orders'],
      memory: { inputFile: await inputFile(20) },
      transform: { module: slowTransform, concurrency: 1 },
      http: { port: 0, host: '127.0.0.1' },
      shutdown: { deadlineMs: 60_000 },
    });
    const cli = spawnCli(runtime, ['run', '--config', file], { SLOW_TRANSFORM_MS: '1000' });
    try {
      await cli.url(30_000);
      cli.signal('SIGTERM');
      await cli.waitFor((line) => line.msg === 'draining', 10_000);
      const second = Date.now();
      cli.signal('SIGINT');
      expect(await cli.exited).toBe(130);
      expect(Date.now() - second).toBeLessThan(3_000);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
