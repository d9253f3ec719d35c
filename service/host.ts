import type { Env } from './config/env.ts';

export type Signal = 'SIGINT' | 'SIGTERM';

export interface Server {
  readonly url: string;
  close(): Promise<void>;
}

/** What a runtime entrypoint hands the service: its platform I/O, so the service itself is the same everywhere. */
export interface Host {
  readonly runtime: 'node' | 'bun' | 'deno';
  readonly runtimeVersion: string;
  readonly argv: readonly string[];
  readonly env: Env;
  serve(fetch: (request: Request) => Response | Promise<Response>, where: { host: string; port: number }): Promise<Server>;
  onSignal(signal: Signal, handler: () => void): void;
  write(stream: 'stdout' | 'stderr', text: string): void;
  exit(code: number): void;
}

/** The URL to reach a server bound to `address`: a wildcard bind is reached on the loopback address. */
export function serverUrl(address: string, port: number): string {
  const host = address === '0.0.0.0' || address === '::' || address === '' ? '127.0.0.1' : address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${port}`;
}
