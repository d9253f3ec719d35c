// The `orchestron` CLI on Bun (`bun runtime-bun/main.ts <command> …`): Bun.serve, signals and exit.
// Signals are caught before anything else loads (see service/signal-latch.ts); the rest is imported after.
import type { Host } from '../service/host.ts';
import { signalLatch } from '../service/signal-latch.ts';

const onSignal = signalLatch((signal, handler) => void process.on(signal, handler));
const [{ cli }, { serverUrl }] = await Promise.all([import('../service/cli.ts'), import('../service/host.ts')]);

const host: Host = {
  runtime: 'bun',
  runtimeVersion: Bun.version,
  argv: Bun.argv.slice(2),
  env: process.env,
  serve: async (fetch, where) => {
    const server = Bun.serve({ fetch, hostname: where.host, port: where.port });
    return { url: serverUrl(server.hostname ?? where.host, server.port ?? where.port), close: () => server.stop(true) };
  },
  onSignal,
  write: (stream, text) => void process[stream].write(text),
  exit: (code) => process.exit(code),
};

const code = await cli(host);
process.exitCode = code;
setTimeout(() => process.exit(code), 2_000).unref();
