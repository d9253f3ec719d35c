// For tests that use Orchestron as an npm user does: the tarball `npm pack` makes (its prepack build, its "files"),
// unpacked into a scratch project's node_modules as npm installs it, with only the dependencies package.json declares
// (plus the ones a test names) reachable.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/** Packs the package, unpacks it into `project`/node_modules/orchestron and links its declared dependencies and `extra`. */
export async function installPackedPackage(project: string, extra: readonly string[] = []): Promise<string> {
  const installed = join(project, 'node_modules', 'orchestron');
  await mkdir(installed, { recursive: true });
  const packs = await mkdtemp(join(tmpdir(), 'orchestron-pack-'));
  try {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', packs], { cwd: root, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    // Lifecycle scripts (prepare, prepack) print before the JSON on the same stream.
    const [packed] = JSON.parse(stdout.slice(Math.max(0, stdout.search(/^\[/m)))) as { filename: string }[];
    if (!packed) throw new Error(`npm pack said nothing about its tarball: ${stdout.slice(0, 200)}`);
    await run('tar', ['-xzf', join(packs, packed.filename), '-C', installed, '--strip-components=1'], { timeout: 60_000 });
  } finally {
    await rm(packs, { recursive: true, force: true });
  }
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of [...Object.keys(manifest.dependencies), ...extra]) await linkPackage(project, name);
  return installed;
}

/** Makes one of this repository's installed packages reachable from the scratch project. */
export async function linkPackage(project: string, name: string): Promise<void> {
  const link = join(project, 'node_modules', name);
  await mkdir(dirname(link), { recursive: true });
  await symlink(join(root, 'node_modules', name), link, 'dir');
}
