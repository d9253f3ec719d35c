import { describe, expect, it } from 'vitest';
import { healthApp } from './app.ts';
import type { ReadinessReport } from './app.ts';
import { dropSeries } from '../../core/index.ts';
import { prometheusMetrics } from '../metrics/prometheus.ts';

describe('health app', () => {
  const prometheus = prometheusMetrics({ processMetrics: false });
  let report: ReadinessReport = { ready: true, checks: { pipeline: 'ok' } };
  const app = healthApp({ readiness: async () => report, scrape: prometheus.scrape });

  it('answers live always, ready with 200 or 503 and the failing check', async () => {
    expect((await app.request('/health/live')).status).toBe(200);
    expect(await (await app.request('/health/ready')).json()).toEqual({ status: 'ready', checks: { pipeline: 'ok' } });
    report = { ready: false, checks: { pipeline: 'ok', 'breaker:postgres-tracker': 'open for 9000 ms' } };
    const response = await app.request('/health/ready');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'not-ready', checks: report.checks });
  });

  it('serves the core metrics in Prometheus text under their names', async () => {
    prometheus.metrics.recordsOk.inc({ topic: 'orders' }, 3);
    prometheus.metrics.batchOk.inc({});
    prometheus.metrics.breakerOpen.set({ breaker: 'postgres-tracker' }, 1);
    const response = await app.request('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('orchestron_records_ok_total{topic="orders"} 3');
    expect(text).toContain('orchestron_batch_ok_total 1');
    expect(text).toContain('orchestron_breaker_open{breaker="postgres-tracker"} 1');
    expect(text).toContain('# HELP orchestron_transform_fail_total');
  });

  it('drops the lag series of a partition no longer assigned', async () => {
    prometheus.metrics.consumerLag.set({ topic: 'orders', partition: '4' }, 12);
    expect(await (await app.request('/metrics')).text()).toContain('orchestron_consumer_lag{topic="orders",partition="4"} 12');
    dropSeries(prometheus.metrics.consumerLag, { topic: 'orders', partition: '4' });
    expect(await (await app.request('/metrics')).text()).not.toContain('orchestron_consumer_lag{topic="orders",partition="4"}');
  });

  it('answers 404 with the endpoints it has', async () => {
    const response = await app.request('/healthz');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ endpoints: ['/health/live', '/health/ready', '/metrics'] });
  });
});
