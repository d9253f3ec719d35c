import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The fixes carried for dependencies (patches/, docs/dependencies.md): applied in this checkout, made for the version
// installed, and applied by `npm ci` only, never by an install of the published package.
const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const patches = readdirSync(join(root, 'patches')).filter((name) => name.endsWith('.patch'));

/** `@scope+name+1.2.3.patch` → package and version. */
function patchedPackage(file: string): { name: string; version: string } {
  const parts = file.slice(0, -'.patch'.length).split('+');
  return { name: parts.slice(0, -1).join('/'), version: parts.at(-1) ?? '' };
}

describe('dependency patches', () => {
  it('are applied by the repository install (prepare) and by no install-time script a user would run', () => {
    expect(manifest.scripts['prepare']).toContain('patch-package');
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(manifest.scripts[hook]).toBeUndefined();
  });

  for (const file of patches) {
    const { name, version } = patchedPackage(file);
    it(`${name}: the installed version is the patched one, and the patch is applied`, () => {
      const installed = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      // A new version may carry the fix upstream or move the patched code: review the patch, then remake it.
      expect(installed.version, `${name} was upgraded: review patches/${file} (docs/dependencies.md)`).toBe(version);
      // Reverses cleanly only where every hunk is in place.
      expect(() => execFileSync('git', ['apply', '--reverse', '--check', join('patches', file)], { cwd: root, stdio: 'pipe' })).not.toThrow();
    });
  }
});
