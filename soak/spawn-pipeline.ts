import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { modulePath } from './module-path.ts';

export const Runtimes = ['node', 'bun'] as const;
export type Runtime = (typeof Runtimes)[number];

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The script of a process under test. */
export interface Entrypoint {
  readonly kind: 'runtime' | 'raw-loop';
  readonly script: string;
}

/** The pipeline: the runtime entrypoint, `runtime-<runtime>/main.ts run --config FILE`. */
export const pipelineEntrypoint = (runtime: Runtime): Entrypoint => ({ kind: 'runtime', script: modulePath(`../runtime-${runtime}/main.ts`, import.meta.url) });

export const rawLoopEntrypoint: Entrypoint = { kind: 'raw-loop', script: modulePath('./raw-loop.ts', import.meta.url) };

/** node: this Node (24, type stripping); bun: the repository's own Bun, else the one on PATH. */
export function runtimeBinary(runtime: Runtime): string {
  if (runtime === 'node') return process.execPath;
  const local = here('../node_modules/.bin/bun');
  return existsSync(local) ? local : 'bun';
}

/** A port nobody listens on now, for the process's HTTP server. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ProcessUnderTest {
  readonly pid: number;
  readonly command: readonly string[];
  /** Its HTTP base URL: from its `listening` log line, else from the port in its config. */
  url: string;
  readonly exited: Promise<Exit>;
  /** Asks it to stop (SIGTERM, or `stopSignal`), then kills it after `timeoutMs`. */
  stop(timeoutMs: number): Promise<Exit>;
}

export interface SpawnOptions {
  readonly runtime: Runtime;
  readonly entrypoint: Entrypoint;
  readonly configFile: string;
  readonly port: number;
  /** Set in the process's environment over the soak's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** stdout and stderr of the process go there. */
  readonly logFile: string;
  /** Wraps the command (soak:doctor runs it under Clinic Doctor). */
  readonly wrap?: (command: string[]) => string[];
  readonly stopSignal?: NodeJS.Signals;
  /** Runtime flags before the script (Node: --cpu-prof …). */
  readonly runtimeArgs?: readonly string[];
}

/** Starts the process under test and resolves once its HTTP server answers. */
export async function spawnPipeline(options: SpawnOptions, timeoutMs = 60_000): Promise<ProcessUnderTest> {
  const base = [runtimeBinary(options.runtime), ...(options.runtimeArgs ?? []), options.entrypoint.script, 'run', '--config', options.configFile];
  const command = options.wrap ? options.wrap(base) : base;
  const handle = start(command, options);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const early = await Promise.race([handle.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100))]);
    if (early) throw new Error(`${command.join(' ')} exited (${early.code ?? early.signal}) before it listened; see ${options.logFile}`);
    const answered = await fetch(`${handle.url}/health/ready`, { signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      () => false,
    );
    if (answered) return handle;
    if (Date.now() > deadline) {
      await handle.stop(5_000);
      throw new Error(`${command.join(' ')} did not answer on ${handle.url} within ${timeoutMs} ms; see ${options.logFile}`);
    }
  }
}

export interface CommandOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly port: number;
  readonly logFile: string;
  readonly stopSignal?: NodeJS.Signals;
}

/**
 * Starts `--command`'s program (no shell) with the soak's variables in its environment. It need not serve HTTP: the
 * phase waits for its consumer group instead; /metrics on the given port, when it serves one, is sampled.
 */
export function spawnCommand(options: CommandOptions): ProcessUnderTest {
  return start([...options.argv], options);
}

function start(command: string[], options: { readonly env?: Readonly<Record<string, string>>; readonly port: number; readonly logFile: string; readonly stopSignal?: NodeJS.Signals }): ProcessUnderTest {
  const child = spawn(command[0] as string, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  const log = createWriteStream(options.logFile);
  child.stderr.pipe(log, { end: false });
  // A program that cannot be started (not found) exits with 127, as a shell would say.
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      log.write(`${command[0]}: ${error.message}\n`);
      resolve({ code: 127, signal: null });
    });
  });
  const handle: ProcessUnderTest = {
    pid: child.pid ?? -1,
    command,
    url: `http://127.0.0.1:${options.port}`,
    exited,
    async stop(stopTimeoutMs) {
      if (child.exitCode === null && child.signalCode === null) child.kill(options.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      log.end();
      return exit;
    },
  };
  child.stdout.on('data', (chunk: Buffer) => log.write(chunk));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.includes('"listening"')) return;
    try {
      const url = (JSON.parse(line) as { url?: unknown }).url;
      if (typeof url === 'string') handle.url = url.replace(/\/$/, '');
    } catch {
      // not JSON: keep the configured port
    }
  });
  return handle;
}
