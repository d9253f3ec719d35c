import { Hono } from 'hono';

export interface ReadinessReport {
  readonly ready: boolean;
  /** Each check's name and `ok` or why it is not. */
  readonly checks: Readonly<Record<string, string>>;
}

export interface HealthAppOptions {
  readonly readiness: () => Promise<ReadinessReport>;
  readonly scrape: () => Promise<{ body: string; contentType: string }>;
}

/** The service's HTTP surface, one Hono app for Node, Bun and Deno: liveness, readiness and Prometheus metrics. */
export function healthApp(options: HealthAppOptions): Hono {
  const app = new Hono();
  app.get('/health/live', (c) => c.json({ status: 'live' }));
  app.get('/health/ready', async (c) => {
    const report = await options.readiness();
    return c.json({ status: report.ready ? 'ready' : 'not-ready', checks: report.checks }, report.ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const { body, contentType } = await options.scrape();
    return c.body(body, 200, { 'content-type': contentType });
  });
  app.notFound((c) => c.json({ error: 'not found', endpoints: ['/health/live', '/health/ready', '/metrics'] }, 404));
  return app;
}
