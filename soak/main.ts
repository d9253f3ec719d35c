import { ConfigError } from '../core/index.ts';
import { SoakExit } from './exit-status.ts';
import type { SoakExitStatus } from './exit-status.ts';
import { resolveSoakOptions, usage } from './options.ts';
import { runSoak } from './soak.ts';
import type { Env } from '../core/index.ts';

type Signal = 'SIGINT' | 'SIGTERM';

/**
 * `orchestron soak …` and `npm run soak -- …`: the soak's exit status (exit-status.ts). The first SIGINT or SIGTERM
 * ends the phase in flight as unfinished (the process under test stopped, topics deleted, outputs written); a second
 * exits at once (130, 143).
 */
export async function soakMain(
  argv: readonly string[],
  env: Env,
  onSignal: (signal: Signal, handler: () => void) => void = (signal, handler) => void process.on(signal, handler),
): Promise<SoakExitStatus> {
  let options;
  try {
    options = resolveSoakOptions(argv, env);
  } catch (error) {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
    return SoakExit.usage;
  }
  if (!options) {
    process.stdout.write(`${usage}\n`);
    return SoakExit.ok;
  }
  const interrupt = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    onSignal(signal, () => {
      if (interrupt.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
      process.stderr.write(`soak: ${signal}: stopping the phase in flight (again to exit at once)\n`);
      interrupt.abort(signal);
    });
  }
  const { exitCode } = await runSoak(options, { interrupt: interrupt.signal }).catch((error: unknown) => {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    // An unreadable --baseline, --config or --records is bad usage; anything else stopped a phase.
    return { exitCode: error instanceof ConfigError ? SoakExit.usage : SoakExit.unfinished };
  });
  return exitCode;
}
