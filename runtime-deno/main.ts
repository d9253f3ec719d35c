// The `orchestron` CLI on Deno (`deno task orchestron <command> …`): Deno.serve, signals and exit.
// Signals are caught before anything else loads (see service/signal-latch.ts); the rest is imported after.
import type { Host } from '../service/host.ts';
import { signalLatch } from '../service/signal-latch.ts';

const onSignal = signalLatch((signal, handler) => Deno.addSignalListener(signal, handler));
const [{ cli }, { serverUrl }] = await Promise.all([import('../service/cli.ts'), import('../service/host.ts')]);

const encoder = new TextEncoder();

const host: Host = {
  runtime: 'deno',
  runtimeVersion: Deno.version.deno,
  argv: Deno.args,
  env: Deno.env.toObject(),
  serve: (fetch, where) =>
    new Promise((resolve) => {
      const server = Deno.serve({ hostname: where.host, port: where.port, onListen: (addr) => resolve({ url: serverUrl(addr.hostname, addr.port), close: () => server.shutdown() }) }, fetch);
    }),
  onSignal,
  write: (stream, text) => void (stream === 'stdout' ? Deno.stdout : Deno.stderr).writeSync(encoder.encode(text)),
  exit: (code) => Deno.exit(code),
};

Deno.exit(await cli(host));
