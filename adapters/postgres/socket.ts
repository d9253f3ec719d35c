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
 * connections that did talk are left to postgres.js, which fails their queries itself.
 *
 * The socket is handed over while it is still dialling, never as a rejected promise: postgres.js (3.4) drops a
 * connection whose factory rejects without returning it to its pool, so every refused dial would leak one pool slot
 * until all queries hang. Dial errors and its own connect timeout reach postgres.js through the socket's events.
 */
export function dialer(): (target: Target) => Socket {
  return (target) => {
    const host = target.host[0] ?? 'localhost';
    const port = target.port[0] ?? 5432;
    const where = target.path || `${host}:${port}`;
    const socket = target.path ? connect(target.path) : connect(port, host);
    deferEarlyErrors(socket);
    let opening: number | undefined;
    // The server speaks only after postgres.js has attached its own reader, so this one sees the first byte without taking it.
    socket.once('data', (chunk: Buffer) => void (opening = chunk[0]));
    // Prepended: Node's own 'end' listener ends our side too, after which a client-initiated close looks the same.
    socket.prependOnceListener('end', () => {
      if (socket.writableEnded || (opening !== undefined && serverOpenings.has(opening))) return;
      socket.destroy(Object.assign(new Error(`connection closed before a Postgres server answered: ${where}`), { code: 'CONNECTION_CLOSED' }));
    });
    return Object.assign(socket, { host, port });
  };
}

/**
 * postgres.js attaches its 'error' and 'close' listeners a microtask after the factory returns; a dial that fails
 * synchronously could emit both before that (an unhandled 'error' event, and a close nobody sees). Such early events
 * are replayed once its listeners are there.
 */
function deferEarlyErrors(socket: Socket): void {
  socket.once('error', (error: Error) => {
    if (socket.listenerCount('error') > 0) return;
    setImmediate(() => {
      // Listeners gone again means postgres.js saw the close and is done with this socket.
      if (socket.listenerCount('error') === 0) return;
      socket.emit('error', error);
      socket.emit('close', true);
    });
  });
}
