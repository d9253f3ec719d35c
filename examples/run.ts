// `npm run example -- <name> [args]`: runs examples/<name>/main.ts with the remaining arguments.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const mainOf = (name: string): string => `${here}${name}/main.ts`;

const available = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(mainOf(entry.name)))
  .map((entry) => entry.name)
  .sort();

const name = process.argv[2];
if (name === undefined || !available.includes(name)) {
  const problem = name === undefined ? 'which example?' : `unknown example ${JSON.stringify(name)}`;
  process.stderr.write(`${problem}\nUsage: npm run example -- <name> [args]\nExamples:\n${available.map((n) => `  ${n}\n`).join('')}`);
  process.exitCode = 2;
} else {
  // The example reads its own arguments from process.argv.slice(2), as if it had been started directly.
  process.argv.splice(2, 1);
  await import(pathToFileURL(mainOf(name)).href);
}
