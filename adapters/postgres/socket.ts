import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** What postgres.js hands its `socket` option: the parsed hosts, ports and unix socket path. */
interface Target {
  readonly host: readonly string[];
  readonly port: readonly number[];
  readonly path?: string | false;
}

/** The bytes a Postgres server can start talking with: S or N (answer to SSLRequest), R (authentication), E, v. */
const serverOpenings = new Set([0x53, 0x4e, 0x52, 0x45, 0x76]);

/**
 * A socket factory for postgres.js's `socket` option. When the peer closes a connection cleanly during startup (a proxy
 * or load balancer with no database behind it), postgres.js dials again at once, without limit: the query hangs and the
 * pool spins hundreds of reconnects a second. So a clean close from a peer that never spoke like Postgres (no byte, or
 * a first byte no Postgres server sends) becomes an error here, which fails the pending query instead. Closes of
 * connections that did talk are left to postgres.js, which fails their queries itself. Dialling is bounded by
 * `timeoutMs` too, since postgres.js's own connect timer starts only once this socket is connected.
 */
export function dialer(timeoutMs: number): (target: Target) => Promise<Socket> {
  return (target) =>
    new Promise<Socket>((resolve, reject) => {
      const host = target.host[0] ?? 'localhost';
      const port = target.port[0] ?? 5432;
      const where = target.path || `${host}:${port}`;
      const socket = target.path ? connect(target.path) : connect(port, host);
      const fail = (code: string, message: string) => socket.destroy(Object.assign(new Error(`${message} ${where}`), { code }));
      const timedOut = () => fail('CONNECT_TIMEOUT', `no connection within ${timeoutMs} ms to`);
      socket.setTimeout(timeoutMs, timedOut);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.off('timeout', timedOut);
        socket.off('error', reject);
        resolve(Object.assign(socket, { host, port }));
      });
      let opening: number | undefined;
      // The server speaks only after postgres.js has attached its own reader, so this one sees the first byte without taking it.
      socket.once('data', (chunk: Buffer) => void (opening = chunk[0]));
      // Prepended: Node's own 'end' listener ends our side too, after which a client-initiated close looks the same.
      socket.prependOnceListener('end', () => {
        if (socket.writableEnded || (opening !== undefined && serverOpenings.has(opening))) return;
        fail('CONNECTION_CLOSED', 'connection closed before a Postgres server answered:');
      });
    });
}
