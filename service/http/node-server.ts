import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Server } from '../host.ts';
import { serverUrl } from '../host.ts';

/** Serves a fetch handler (a Hono app's `fetch`) on Node's HTTP server; resolves once listening. `close` is graceful. */
export function serveOnNode(fetch: (request: Request) => Response | Promise<Response>, where: { host: string; port: number }): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: where.host, port: where.port }, (info: AddressInfo) => {
      server.off('error', reject);
      resolve({
        url: serverUrl(info.address, info.port),
        close: () =>
          new Promise<void>((done) => {
            // Requests in flight finish; idle keep-alive connections are closed rather than waited for.
            server.close(() => done());
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
