// `npm run example -- orders-orchestrator [flags]`: the seed's orders orchestrator, until SIGINT or SIGTERM.
import { ConfigError, messageOf } from '../../core/index.ts';
import { startOrdersOrchestrator } from './orchestrator.ts';
import { optionsFromArgs, resolveOrchestratorSettings, usage } from './settings.ts';

let settings;
try {
  const options = optionsFromArgs(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  settings = resolveOrchestratorSettings(options, process.env);
} catch (error) {
  process.stderr.write(`orders-orchestrator: ${messageOf(error)} (--help lists the settings)\n`);
  process.exit(2);
}

try {
  const orchestrator = await startOrdersOrchestrator(settings);
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second signal means: do not wait for the batch in flight.
      if (++signals > 1) process.exit(130);
      void orchestrator.stop();
    });
  }
  await orchestrator.finished;
} catch (error) {
  process.stderr.write(`orders-orchestrator: ${messageOf(error)}\n`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
