import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpServer {
  /** `http://host:port`, with the port actually bound (for port 0). */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `fetch` on Node through @hono/node-server; resolves once listening. */
export function listen(fetch: (request: Request) => Response | Promise<Response>, host: string, port: number): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port }, (info: AddressInfo) => {
      server.off('error', reject);
      const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shown}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            (server as Server).closeAllConnections();
            server.close(() => done());
          }),
      });
    }) as Server;
    server.once('error', reject);
  });
}
