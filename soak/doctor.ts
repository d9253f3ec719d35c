// `npm run soak:doctor -- [soak flags]`: a soak whose pipeline process runs under Clinic Doctor; the doctor's HTML
// report is kept in DIR/doctor.html beside the soak's own outputs. Node only (Clinic instruments Node).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/index.ts';
import { SoakExit } from './exit-status.ts';
import { resolveSoakOptions, usage } from './options.ts';
import { runSoak } from './soak.ts';

const collector = fileURLToPath(new URL('./doctor-collect.ts', import.meta.url));

let options;
try {
  options = resolveSoakOptions(process.argv.slice(2), process.env);
  if (options?.runtime === 'bun') throw new ConfigError('--runtime', 'soak:doctor needs node (Clinic Doctor instruments Node)');
  if (options?.cpuProf) throw new ConfigError('--cpu-prof', 'cannot be combined with soak:doctor');
} catch (error) {
  process.stderr.write(`soak:doctor: ${error instanceof Error ? error.message : String(error)}\n\n${usage}\n`);
  process.exit(SoakExit.usage);
}
if (!options) {
  process.stdout.write(`${usage}\n`);
} else {
  const out = options.out;
  const { exitCode } = await runSoak(options, {
    wrap: (command) => [process.execPath, collector, join(out, 'clinic'), join(out, 'doctor.html'), '--', ...command],
    // Clinic analyses the samples and renders its report after the process exits.
    stopTimeoutMs: 300_000,
  }).catch((error: unknown) => {
    process.stderr.write(`soak:doctor: ${error instanceof Error ? error.message : String(error)}\n`);
    return { exitCode: error instanceof ConfigError ? SoakExit.usage : SoakExit.unfinished };
  });
  process.stderr.write(`soak:doctor: Clinic Doctor report in ${join(out, 'doctor.html')}\n`);
  process.exit(exitCode);
}
