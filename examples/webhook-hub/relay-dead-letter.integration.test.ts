import { describe, expect, it } from 'vitest';
import { readTopic } from '../../adapters/kafka/testing.ts';
import { dropHubTables, eventually, isolatedOptions, postEvent, startTestHub, testSql } from './test-support.ts';

describe('example webhook-hub: the relay', () => {
  it('retries a record the broker refuses with backoff, then moves its row to the dead-letter table; the others go through', async () => {
    const options = await isolatedOptions({ maxPayloadBytes: 4 * 1_048_576, maxAttempts: 3 });
    const hub = await startTestHub(options);
    const sql = testSql();
    try {
      const url = hub.url as string;
      const ids: string[] = [];
      for (const data of [{ n: 1 }, { blob: 'x'.repeat(1_500_000) }, { n: 3 }]) {
        const response = await postEvent(url, { type: 'import.chunk', data });
        expect(response.status).toBe(202);
        ids.push(((await response.json()) as { id: string }).id);
      }
      const [small1, large, small3] = ids as [string, string, string];

      await eventually(async () => (await sql.unsafe(`SELECT 1 FROM ${hub.tables.deadLetters} WHERE event_id = $1`, [large])).length === 1, 60_000, 'dead letter');
      const [dead] = await sql.unsafe(`SELECT attempts, last_error, topic, status, message->>'key' AS key FROM ${hub.tables.deadLetters} WHERE event_id = $1`, [large]);
      expect(dead).toMatchObject({ attempts: 3, topic: options.topic, status: 'pending', key: large });
      expect(dead?.last_error).toMatch(/MESSAGE_TOO_LARGE/);
      expect(await sql.unsafe(`SELECT 1 FROM ${hub.tables.outbox} WHERE event_id = $1`, [large])).toHaveLength(0);
      const statuses = await sql.unsafe<{ id: string; status: string }[]>(`SELECT id, status FROM ${hub.tables.events}`);
      expect(Object.fromEntries(statuses.map((r) => [r.id, r.status]))).toEqual({ [small1]: 'published', [large]: 'dead_lettered', [small3]: 'published' });

      // At-least-once: when the broker refuses one record of a batch, others of that batch may have landed already
      // and are sent again one by one, so a small event can be there twice; consumers deduplicate on the event id.
      const published = await readTopic(options.topic, 2);
      expect([...new Set(published.map((m) => m.key.toString()))].sort()).toEqual([small1, small3].sort());
      const text = (await hub.metrics.render()).body;
      expect(text).toContain('webhook_hub_relay_failures_total{outcome="retry"} 2');
      expect(text).toContain('webhook_hub_relay_failures_total{outcome="dead_lettered"} 1');
      expect(text).toContain('webhook_hub_relay_published_total 2');
      expect(text).toContain('webhook_hub_outbox_backlog 0');
    } finally {
      await hub.stop();
      await sql.end();
      await dropHubTables(options.tablePrefix);
    }
  });
});
