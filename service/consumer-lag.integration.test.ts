// `orchestron run` with kafka.readyMaxLag: while its partition lags by more than the threshold readiness is 503 and
// names the partition and its lag; /metrics has orchestron_consumer_lag; once the backlog is worked off it is ready.
import { describe, expect, it, onTestFailed } from 'vitest';
import { freshTopics, produceRecords, unique } from '../adapters/kafka/testing.ts';
import { spawnCli, writeConfig } from './testing/spawn-cli.ts';

const slowTransform = new URL('./testing/slow-transform.ts', import.meta.url).pathname;
const records = 100;
const maxLag = 30;

interface Ready {
  readonly status: number;
  readonly checks: Record<string, string>;
}

async function until(url: string, done: (ready: Ready) => boolean, timeoutMs: number): Promise<Ready> {
  const deadline = Date.now() + timeoutMs;
  let last: Ready | undefined;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (response) last = { status: response.status, checks: ((await response.json()) as { checks?: Record<string, string> }).checks ?? {} };
    if (last && done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`readiness not as expected within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

describe('orchestron run: readiness on consumer lag', () => {
  it('is 503 naming the partition and its lag while it lags by more than kafka.readyMaxLag, then ready', async () => {
    const topics = await freshTopics('ready-lag', 1, ['in']);
    const input = topics.in as string;
    await produceRecords(input, Array.from({ length: records }, (_, id) => ({ key: 'k', value: { id } })));
    const file = await writeConfig({
      transport: 'kafka',
      topics: [input],
      failureMode: 'skip-and-log',
      transform: { module: slowTransform, concurrency: 1 },
      kafka: { groupId: unique('ready-lag'), batchSize: 5, commitIntervalMs: 20, lagIntervalMs: 200, readyMaxLag: maxLag },
      http: { port: 0, host: '127.0.0.1' },
    });
    const cli = spawnCli('node', ['run', '--config', file], { ORCHESTRON_INSTANCE_ID: unique('ready-lag'), SLOW_TRANSFORM_MS: '40' });
    onTestFailed(() => console.error(`--- orchestron run output ---\n${cli.output().slice(-50_000)}`));
    const check = `partition:${input}/0`;
    try {
      const url = await cli.url(60_000);
      const lagging = await until(url, (r) => r.checks[check]?.startsWith('lagging') === true, 30_000);
      expect(lagging.status).toBe(503);
      const lag = Number(/^lagging: (\d+) offsets behind \(more than kafka\.readyMaxLag 30\)$/.exec(lagging.checks[check] ?? '')?.[1]);
      expect(lag).toBeGreaterThan(maxLag);
      expect(lag).toBeLessThanOrEqual(records);
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(new RegExp(`orchestron_consumer_lag\\{topic="${input}",partition="0"\\} \\d+`));

      const ready = await until(url, (r) => r.status === 200, 30_000);
      expect(ready.checks[check]).toBeUndefined();
    } finally {
      cli.signal('SIGTERM');
      await Promise.race([cli.exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      cli.child.kill('SIGKILL');
    }
  }, 90_000);
});
