#!/usr/bin/env node
// The `orchestron` CLI on Node: Node's HTTP server (through @hono/node-server), signals and exit.
// Signals are caught before anything else loads (see service/signal-latch.ts); the rest is imported after.
import type { Host } from '../service/host.ts';
import { signalLatch } from '../service/signal-latch.ts';

const onSignal = signalLatch((signal, handler) => void process.on(signal, handler));
const [{ cli }, { serveOnNode }] = await Promise.all([import('../service/cli.ts'), import('../service/http/node-server.ts')]);

const host: Host = {
  runtime: 'node',
  runtimeVersion: process.versions.node,
  argv: process.argv.slice(2),
  env: process.env,
  serve: serveOnNode,
  onSignal,
  write: (stream, text) => void process[stream].write(text),
  exit: (code) => process.exit(code),
};

const code = await cli(host);
process.exitCode = code;
// Let stdout drain, but do not wait on a client that keeps a socket open after close.
setTimeout(() => process.exit(code), 2_000).unref();
