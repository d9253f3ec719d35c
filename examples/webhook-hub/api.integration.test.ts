import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../../adapters/testing/tcp-proxy.ts';
import { readTopic } from '../../adapters/kafka/testing.ts';
import { databaseUrl } from '../../adapters/postgres/testing.ts';
import type { Hub } from './hub.ts';
import { crmKey, dropHubTables, eventually, isolatedOptions, postEvent, shopKey, startTestHub, testSql } from './test-support.ts';
import type { ResolvedHubOptions } from './config.ts';

const metric = async (hub: Hub, series: string): Promise<number> => {
  const text = (await hub.metrics.render()).body;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return Number(line?.split(' ')[1] ?? NaN);
};

describe('example webhook-hub: the API', () => {
  let options: ResolvedHubOptions;
  let hub: Hub;
  let url: string;
  const sql = testSql();
  const rowCounts = async () => {
    const [row] = await sql.unsafe<{ events: string; outbox: string }[]>(
      `SELECT (SELECT count(*) FROM ${hub.tables.events}) AS events, (SELECT count(*) FROM ${hub.tables.outbox}) AS outbox`,
    );
    return { events: Number(row?.events), outbox: Number(row?.outbox) };
  };

  beforeAll(async () => {
    options = await isolatedOptions({ maxPayloadBytes: 2_048 });
    hub = await startTestHub(options);
    url = hub.url as string;
  });
  afterAll(async () => {
    await hub.stop();
    await sql.end();
    await dropHubTables(options.tablePrefix);
  });

  it('answers 202 once the event and its outbox row are committed, and the relay publishes it keyed by event id', async () => {
    const body = { type: 'order.created', source: 'shop', occurredAt: '2026-11-20T10:00:00Z', data: { orderId: 'o-1', total: 12.5 } };
    const response = await postEvent(url, body);
    expect(response.status).toBe(202);
    const { id, status } = (await response.json()) as { id: string; status: string };
    expect(status).toBe('accepted');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    // Committed before the answer: another connection sees both rows at once.
    const [event] = await sql.unsafe(`SELECT type, source, api_key, data FROM ${hub.tables.events} WHERE id = $1`, [id]);
    expect(event).toMatchObject({ type: 'order.created', source: 'shop', api_key: 'shop', data: body.data });
    const [outbox] = await sql.unsafe(`SELECT topic, message FROM ${hub.tables.outbox} WHERE event_id = $1`, [id]);
    expect(outbox?.topic).toBe(options.topic);

    const [record] = await readTopic(options.topic, 1);
    expect(record?.key.toString()).toBe(id);
    expect(record?.headers.get('event_id')?.toString()).toBe(id);
    expect(record?.headers.get('event_type')?.toString()).toBe('order.created');
    expect(JSON.parse(record?.value.toString() ?? '{}')).toMatchObject({ id, ...body, apiKey: 'shop' });

    await eventually(async () => {
      const [row] = await sql.unsafe(`SELECT status FROM ${hub.tables.events} WHERE id = $1`, [id]);
      return row?.status === 'published';
    });
    const [published] = await sql.unsafe(`SELECT published_at FROM ${hub.tables.outbox} WHERE event_id = $1`, [id]);
    expect(published?.published_at).toBeInstanceOf(Date);
    expect(await metric(hub, 'webhook_hub_events_ingested_total{api_key="shop"}')).toBe(1);
    expect(await metric(hub, 'webhook_hub_relay_published_total')).toBe(1);
    expect(await metric(hub, 'webhook_hub_outbox_backlog')).toBe(0);
  });

  it('answers 401 to a missing or wrong API key without echoing the key', async () => {
    const before = await rowCounts();
    const missing = await postEvent(url, { type: 'a', data: {} }, { key: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: 'missing_api_key', message: 'missing API key: send it in the x-api-key header' });

    const wrongKey = `${shopKey.key}-but-not-quite`;
    const wrong = await postEvent(url, { type: 'a', data: {} }, { key: wrongKey });
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(JSON.parse(text)).toEqual({ error: 'invalid_api_key', message: 'invalid API key' });
    for (const secret of [wrongKey, shopKey.key, crmKey.key, 'not-quite']) expect(text).not.toContain(secret);
    expect([...wrong.headers.values()].join(' ')).not.toContain(wrongKey);

    expect(await rowCounts()).toEqual(before);
    expect(await metric(hub, 'webhook_hub_events_rejected_total{reason="missing_api_key"}')).toBe(1);
    expect(await metric(hub, 'webhook_hub_events_rejected_total{reason="invalid_api_key"}')).toBe(1);
  });

  it('answers 413 to a body over the size limit, declared or not', async () => {
    const before = await rowCounts();
    const big = { type: 'bulk.import', data: { blob: 'x'.repeat(4_000) } };
    const response = await postEvent(url, big);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload_too_large' });

    // Streamed without a Content-Length: the limit is enforced while reading.
    const text = JSON.stringify(big);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < text.length; i += 500) controller.enqueue(new TextEncoder().encode(text.slice(i, i + 500)));
        controller.close();
      },
    });
    const chunked = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': shopKey.key },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await rowCounts()).toEqual(before);
    expect(await metric(hub, 'webhook_hub_events_rejected_total{reason="payload_too_large"}')).toBe(2);
  });

  it('answers 400 to invalid JSON and to bodies that break the schema, listing the issues', async () => {
    const before = await rowCounts();
    const notJson = await postEvent(url, '{"type":"a",');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'invalid_json' });

    const cases: [unknown, RegExp][] = [
      [{ data: {} }, /^type: /],
      [{ type: 'order.created' }, /^data: /],
      [{ type: 'order.created', data: [1, 2] }, /^data: Invalid type: Expected a JSON object/],
      [{ type: 'has spaces', data: {} }, /^type: /],
      [{ type: 'a', data: {}, occurredAt: 'yesterday' }, /^occurredAt: /],
      [{ type: 'a', data: {}, extra: true }, /^extra: /],
      [[{ type: 'a', data: {} }], /^Invalid type: Expected a JSON object/],
    ];
    for (const [body, issue] of cases) {
      const response = await postEvent(url, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const answer = (await response.json()) as { error: string; issues: string[] };
      expect(answer.error).toBe('schema_invalid');
      expect(answer.issues.some((i) => issue.test(i)), `${JSON.stringify(body)} → ${JSON.stringify(answer.issues)}`).toBe(true);
    }
    const wrongType = await postEvent(url, { type: 'a', data: {} }, { contentType: 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect(await rowCounts()).toEqual(before);
    expect(await metric(hub, 'webhook_hub_events_rejected_total{reason="schema_invalid"}')).toBe(cases.length);
  });

  it('serves the JSON Schema of the event body', async () => {
    const schema = (await (await fetch(`${url}/schema`)).json()) as { required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(['type', 'data']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('serves health and Prometheus metrics', async () => {
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', checks: { postgres: 'ok' } });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    for (const name of [
      'webhook_hub_events_ingested_total',
      'webhook_hub_events_rejected_total',
      'webhook_hub_relay_published_total',
      'webhook_hub_relay_failures_total',
      'webhook_hub_outbox_backlog',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });
});

describe('example webhook-hub: limits and failures', () => {
  it('answers 429 with Retry-After once a key has used its burst, and limits each key on its own', async () => {
    const options = await isolatedOptions({ rateLimit: 1, rateLimitBurst: 3 });
    const hub = await startTestHub(options, { roles: { api: true, relay: false } });
    try {
      const url = hub.url as string;
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i < 4; i++) {
        const response = await postEvent(url, { type: 'tick', data: { i } });
        statuses.push(response.status);
        if (response.status === 429) limited = response;
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await limited?.json()).toMatchObject({ error: 'rate_limited' });
      expect((await postEvent(url, { type: 'tick', data: {} }, { key: crmKey.key })).status).toBe(202);
    } finally {
      await hub.stop();
      await dropHubTables(options.tablePrefix);
    }
  });

  it('stores neither the event nor its outbox row when the transaction fails, and answers 503', async () => {
    const options = await isolatedOptions();
    const hub = await startTestHub(options, { roles: { api: true, relay: false } });
    const sql = testSql();
    try {
      // The outbox insert fails inside the transaction: the event insert before it must not survive.
      await sql.unsafe(`ALTER TABLE ${hub.tables.outbox} ADD CONSTRAINT test_refuses_rows CHECK (topic <> $$${options.topic}$$)`);
      const response = await postEvent(hub.url as string, { type: 'order.created', data: { orderId: 'o-2' } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      const [row] = await sql.unsafe<{ n: string }[]>(`SELECT count(*) AS n FROM ${hub.tables.events}`);
      expect(Number(row?.n)).toBe(0);
    } finally {
      await hub.stop();
      await sql.end();
      await dropHubTables(options.tablePrefix);
    }
  });

  it('reports the database down on /health and refuses events while it is, then recovers', async () => {
    const target = new URL(databaseUrl);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const options = await isolatedOptions({ databaseUrl: proxy.url(databaseUrl) });
    const hub = await startTestHub(options, { roles: { api: true, relay: false } });
    const url = hub.url as string;
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      proxy.cut();
      const down = await fetch(`${url}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable', checks: { postgres: 'unreachable' } });
      expect((await postEvent(url, { type: 'a', data: {} })).status).toBe(503);
      proxy.restore();
      await eventually(async () => (await fetch(`${url}/health`)).status === 200, 30_000, 'health back to 200');
      expect((await postEvent(url, { type: 'a', data: {} })).status).toBe(202);
    } finally {
      await hub.stop();
      await proxy.close();
      await dropHubTables(options.tablePrefix);
    }
  });
});
