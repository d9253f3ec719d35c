// For tests that use Orchestron as an npm user does: the package built as `npm pack` builds it, in a scratch
// project's node_modules, with only the dependencies package.json declares (plus the ones a test names) reachable.
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** Builds the package into `project`/node_modules/orchestron and links its declared dependencies and `extra`. */
export async function installBuiltPackage(project: string, extra: readonly string[] = []): Promise<string> {
  const installed = join(project, 'node_modules', 'orchestron');
  await mkdir(installed, { recursive: true });
  await run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(installed, 'dist')], { cwd: root, timeout: 240_000 });
  await cp(join(root, 'package.json'), join(installed, 'package.json'));
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of [...Object.keys(manifest.dependencies), ...extra]) await linkPackage(project, name);
  return installed;
}

/** Makes one of this repository's installed packages reachable from the scratch project. */
export async function linkPackage(project: string, name: string): Promise<void> {
  const link = join(project, 'node_modules', name);
  await mkdir(dirname(link), { recursive: true });
  await symlink(join(root, 'node_modules', name), link, 'dir');
}
