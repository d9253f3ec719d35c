// `npm run example -- orders-orchestrator [flags]`: the seed's orders orchestrator, until SIGINT or SIGTERM.
import { runFlagExample } from '../lifecycle.ts';
import { startOrdersOrchestrator } from './orchestrator.ts';
import { optionsFromArgs, resolveOrchestratorSettings, usage } from './settings.ts';

await runFlagExample({ name: 'orders-orchestrator', usage, parse: optionsFromArgs, resolve: resolveOrchestratorSettings, start: startOrdersOrchestrator });
