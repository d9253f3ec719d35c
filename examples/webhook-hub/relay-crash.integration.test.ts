import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.ts';
import { brokers, freshTopics, kcatRead, readTopic, unique } from '../../adapters/kafka/testing.ts';
import { createPostgresDedupStore } from '../../adapters/postgres/index.ts';
import { databaseUrl, dropTables, uniqueName } from '../../adapters/postgres/testing.ts';
import type { ResolvedHubOptions } from './config.ts';
import { startDedupConsumer } from './dedup-consumer.ts';
import { dropHubTables, eventually, isolatedOptions, postEvent, startTestHub, testSql } from './test-support.ts';

const runner = fileURLToPath(new URL('../run.ts', import.meta.url));

interface RelayProcess {
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** `npm run example -- webhook-hub relay`, as a child process of its own, configured through the environment. */
function startRelayProcess(options: ResolvedHubOptions, extraEnv: Record<string, string> = {}): RelayProcess {
  const child = spawn(process.execPath, [runner, 'webhook-hub', 'relay'], {
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      KAFKA_BROKERS: options.brokers.join(','),
      WEBHOOK_HUB_TABLE_PREFIX: options.tablePrefix,
      WEBHOOK_HUB_TOPIC: options.topic,
      WEBHOOK_HUB_OUTBOX_BATCH_SIZE: String(options.batchSize),
      WEBHOOK_HUB_OUTBOX_INTERVAL_MS: '100',
      LOG_LEVEL: 'debug',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': it comes after the last of stdout has been read.
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { lines, exited, kill: (signal) => child.kill(signal) };
}

describe('example webhook-hub: a relay crash between publish and mark', () => {
  it('publishes the batch again after a restart, and a dedup consumer delivers every event exactly once', async () => {
    const events = 30;
    const batchSize = 10;
    // Room for every event at once: the rate limit (burst 20 by default) is not what this test is about.
    const options = await isolatedOptions({ batchSize, rateLimitBurst: events });
    const { delivered } = (await freshTopics('hub-delivered', 3, ['delivered'])) as { delivered: string };
    const api = await startTestHub(options, { roles: { api: true, relay: false } });
    const sql = testSql();
    const dedupTable = uniqueName('hub_dedup');
    try {
      const ids: string[] = [];
      for (let i = 0; i < events; i++) {
        const response = await postEvent(api.url as string, { type: 'order.created', data: { n: i } });
        expect(response.status).toBe(202);
        ids.push(((await response.json()) as { id: string }).id);
      }
      const unpublished = async () =>
        Number((await sql.unsafe<{ n: string }[]>(`SELECT count(*) AS n FROM ${api.tables.outbox} WHERE published_at IS NULL`))[0]?.n);

      // 1. The relay publishes its first batch and is SIGKILLed before it marks the rows.
      const crashing = startRelayProcess(options, { WEBHOOK_HUB_CRASH_AFTER_PUBLISH: '1' });
      expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(crashing.lines.some((l) => String(l.msg).startsWith('crash hook: batch published'))).toBe(true);
      const firstBatch = await readTopic(options.topic, batchSize);
      expect(firstBatch).toHaveLength(batchSize);
      const firstIds = firstBatch.map((m) => m.key.toString());
      expect(ids).toEqual(expect.arrayContaining(firstIds));
      expect(await unpublished()).toBe(events);

      // 2. Restarted, it publishes everything, the first batch again, and marks the rows; SIGTERM stops it cleanly.
      const restarted = startRelayProcess(options);
      await eventually(async () => (await unpublished()) === 0, 60_000, 'outbox drained');
      restarted.kill('SIGTERM');
      expect(await restarted.exited).toEqual({ code: 0, signal: null });

      const raw = await readTopic(options.topic, events + batchSize);
      const rawIds = raw.map((m) => m.headers.get('event_id')?.toString() ?? '');
      expect(raw).toHaveLength(events + batchSize);
      expect(new Set(rawIds).size).toBe(events);
      const twice = [...new Set(rawIds.filter((id, i) => rawIds.indexOf(id) !== i))];
      expect(twice.sort()).toEqual([...firstIds].sort());

      // 3. Downstream, a core dedup stage keyed by event id (Postgres store) lets each event through once.
      const store = await createPostgresDedupStore({ url: databaseUrl, dedupTable });
      const consumer = startDedupConsumer({
        brokers,
        topic: options.topic,
        outputTopic: delivered,
        groupId: unique('hub-consumer'),
        instanceId: unique('hub-consumer'),
        store,
        ttlMs: 3_600_000,
        logger: silentLogger,
      });
      await eventually(async () => consumer.totals().delivered + consumer.totals().deduplicated >= events + batchSize, 120_000, 'consumer caught up');
      expect(await consumer.stop()).toEqual({ delivered: events, deduplicated: batchSize });
      await store.close();

      // Read once (the consumer has stopped, everything is committed): its ids are strings, which a read waiting for
      // numeric ids would wait out its whole timeout for.
      const output = await kcatRead(brokers.join(','), delivered);
      expect(output).toHaveLength(events);
      expect(output.map((m) => (JSON.parse(m.value.toString()) as { id: string }).id).sort()).toEqual([...ids].sort());
    } finally {
      await api.stop();
      await sql.end();
      await dropHubTables(options.tablePrefix);
      await dropTables([dedupTable]);
    }
  });
});
