import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The HTTP side the runtime entrypoint has, for the soak's own processes (the temporary worker and the raw loop):
 * `GET /health/ready` (200 once `ready()` says so, else 503) and `GET /metrics` (prom-client's default process
 * metrics: resident memory, event-loop delay percentiles, GC).
 */
export async function serveHealthAndMetrics(port: number, ready: () => boolean): Promise<{ server: Server; url: string }> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/health/ready') {
      const ok = ready();
      response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: ok }));
      return;
    }
    if (request.method === 'GET' && request.url === '/metrics') {
      registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${bound}` };
}
