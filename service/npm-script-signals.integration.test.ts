import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeConfig } from './testing/spawn-cli.ts';

const root = resolve(import.meta.dirname, '..');

/** Whether a process whose command line contains `needle` is still running (Linux /proc, as in CI). */
async function running(needle: string): Promise<boolean> {
  const { readdir, readFile } = await import('node:fs/promises');
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (command.includes(needle)) return true;
  }
  return false;
}

describe('the documented `npm run orchestron -- run`', () => {
  it('passes SIGTERM sent to npm through to the CLI, which drains and exits: no orphaned process', async () => {
    const file = await writeConfig({
      transport: 'memory',
      topics: ['orders'],
      memory: { inputFile: resolve(root, 'examples/config/orders.jsonl'), keyField: 'orderId' },
      http: { host: '127.0.0.1', port: 0 },
      log: { level: 'info' },
    });
    const npm = spawn('npm', ['run', '--silent', 'orchestron', '--', 'run', '--config', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => npm.on('exit', (code) => done(code)));
    try {
      const until = Date.now() + 60_000;
      while (!output.includes('"msg":"listening"') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain('"msg":"listening"');
      npm.kill('SIGTERM');
      await exited;
      const settled = Date.now() + 15_000;
      while ((await running(file)) && Date.now() < settled) await new Promise((r) => setTimeout(r, 100));
      expect(await running(file), 'the CLI outlived npm').toBe(false);
      expect(output).toContain('"msg":"draining"');
      expect(output).toContain('"msg":"stopped"');
    } finally {
      npm.kill('SIGKILL');
    }
  });
});
