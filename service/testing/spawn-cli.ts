import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type Runtime = 'node' | 'bun' | 'deno';

/** How each runtime starts the CLI, from the repository root. */
export const cliCommand: Record<Runtime, readonly string[]> = {
  node: ['node', 'runtime-node/main.ts'],
  bun: ['bun', 'runtime-bun/main.ts'],
  deno: ['deno', 'task', '--quiet', 'orchestron'],
};

const root = resolve(import.meta.dirname, '../..');

export interface LogLine {
  readonly level?: string;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

/** A CLI process: its JSON log lines as they come, the rest of its output, and its exit. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  waitFor(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** The HTTP base URL from the `listening` line. */
  url(timeoutMs?: number): Promise<string>;
  signal(signal: NodeJS.Signals): void;
}

export function spawnCli(runtime: Runtime, args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const [command, ...prefix] = cliCommand[runtime];
  const child = spawn(command!, [...prefix, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let text = '';
  let pending = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) {
      if (!part.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        // A line that only looks like JSON is kept in the text output.
      }
    }
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  let ending = '';
  const exited = new Promise<number | null>((done) =>
    child.on('close', (code, signal) => {
      ending = signal ? `killed by ${signal}` : `exit code ${code}`;
      done(code);
    }),
  );

  const waitFor = (predicate: (line: LogLine) => boolean, timeoutMs = 60_000) =>
    new Promise<LogLine>((done, fail) => {
      const check = () => {
        const found = lines.find(predicate);
        if (!found) return;
        cleanup();
        done(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        fail(new Error(`no matching log line within ${timeoutMs} ms; output:\n${text.slice(-4_000)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      void exited.then(() => {
        check();
        if (waiters.has(check)) {
          cleanup();
          fail(new Error(`the process ended (${ending}) before a matching log line; output:\n${text.slice(-4_000)}`));
        }
      });
      check();
    });

  return {
    child,
    lines,
    output: () => text,
    exited,
    waitFor,
    url: async (timeoutMs) => String((await waitFor((line) => line.msg === 'listening', timeoutMs)).url),
    signal: (signal) => void child.kill(signal),
  };
}

/** Writes a config object as JSON into a fresh temporary directory and returns its path. */
export async function writeConfig(config: object): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestron-config-'));
  const file = join(dir, 'orchestron.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(runtime: Runtime, args: readonly string[], env: Record<string, string> = {}) {
  const cli = spawnCli(runtime, args, env);
  const code = await cli.exited;
  return { code, output: cli.output() };
}
