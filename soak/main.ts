import { ConfigError } from '../core/index.ts';
import { SoakExit } from './exit-status.ts';
import type { SoakExitStatus } from './exit-status.ts';
import { resolveSoakOptions, usage } from './options.ts';
import { runSoak } from './soak.ts';

/** `orchestron soak …` and `npm run soak -- …`: the soak's exit status (exit-status.ts). */
export async function soakMain(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<SoakExitStatus> {
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
  const { exitCode } = await runSoak(options).catch((error: unknown) => {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    // An unreadable --baseline, --config or --records is bad usage; anything else stopped a phase.
    return { exitCode: error instanceof ConfigError ? SoakExit.usage : SoakExit.unfinished };
  });
  return exitCode;
}
