// `npm run soak -- --messages N --mode alo|eos --runtime node|bun [--rate R] [--compare raw] --out DIR`
import { resolveSoakOptions, usage } from './options.ts';
import { runSoak } from './soak.ts';

let options;
try {
  options = resolveSoakOptions(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
  process.exit(2);
}
if (!options) {
  process.stdout.write(`${usage}\n`);
} else {
  const { exitCode } = await runSoak(options).catch((error: unknown) => {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    return { exitCode: 3 };
  });
  process.exit(exitCode);
}
