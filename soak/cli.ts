// `npm run soak -- --messages N --mode alo|eos --runtime node|bun [--rate R] [--compare raw] --out DIR`
import { ConfigError } from '../core/index.ts';
import { SoakExit } from './exit-status.ts';
import { resolveSoakOptions, usage } from './options.ts';
import { runSoak } from './soak.ts';

let options;
try {
  options = resolveSoakOptions(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
  process.exit(SoakExit.usage);
}
if (!options) {
  process.stdout.write(`${usage}\n`);
} else {
  const { exitCode } = await runSoak(options).catch((error: unknown) => {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    // An unreadable --baseline is bad usage; anything else stopped a phase.
    return { exitCode: error instanceof ConfigError ? SoakExit.usage : SoakExit.unfinished };
  });
  process.exit(exitCode);
}
