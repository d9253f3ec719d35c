// A pipeline worker run as a child process by the chaos scenarios, built like adapters/kafka/fixtures/worker.ts plus a
// failure tracker and SASL. Invoked like the runtime: `node chaos/worker/main.ts run --config FILE` (JSON). It is not
// `runtime-node/main.ts` because the scenarios read a JSON line per batch (committed or not, running total, CPU time)
// and use test-only knobs (a per-record delay, a label); service/runtime.integration.test.ts covers the runtime itself.
// Progress and warnings go to stdout as JSON lines; SIGTERM or SIGINT drains (the batch in flight settles) and exits 0.
// Signals are handled before the pipeline's modules load, so a worker stopped while it starts also exits cleanly.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { ChaosWorkerConfig } from './config.ts';

const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ pid: process.pid, at: Date.now(), ...event })}\n`);

const stop = new AbortController();
let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (++signals > 1) process.exit(130);
    say({ stopping: signal });
    stop.abort();
  });
}

const { values, positionals } = parseArgs({ options: { config: { type: 'string' } }, allowPositionals: true });
if (positionals[0] !== 'run' || !values.config) {
  process.stderr.write('usage: node chaos/worker/main.ts run --config FILE\n');
  process.exit(2);
}
const config = JSON.parse(await readFile(values.config, 'utf8')) as ChaosWorkerConfig;
const { runWorker } = await import('./run.ts');
const code = await runWorker(config, stop.signal, say);
process.exitCode = code;
// As the runtime does: let stdout drain, but do not wait on a client still waiting for the broker after close.
setTimeout(() => process.exit(code), 2_000).unref();
