import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ChaosWorkerConfig } from './config.ts';

/** One JSON line of a worker's stdout. */
export interface WorkerEvent {
  readonly pid: number;
  readonly at: number;
  readonly started?: string;
  readonly batch?: number;
  readonly committed?: boolean;
  /** Records this process committed so far (processed plus dead-lettered). */
  readonly total?: number;
  readonly deadLettered?: number;
  /** CPU time the process had used when it reported the batch, in milliseconds. */
  readonly cpuMs?: number;
  readonly error?: string;
  readonly reason?: string;
  readonly warn?: string;
  readonly breaker?: string;
  readonly stopping?: string;
  readonly exit?: string;
  /** Tracker writes skipped while its breaker was open (skip-and-log), per operation; reported on exit. */
  readonly trackerSkipped?: { readonly received: number; readonly succeeded: number; readonly failed: number };
  readonly fatal?: string;
  /** A group membership event of the Kafka client (`consumer:group:join`, …) and the partitions assigned after it. */
  readonly kafka?: string;
  readonly assigned?: number;
  readonly message?: string;
}

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The program a worker runs, given its config file (chaos/worker/main.ts says why it is not the runtime's entrypoint). */
const entrypoint = (configFile: string): string[] => [fileURLToPath(new URL('./main.ts', import.meta.url)), 'run', '--config', configFile];

function parseEvent(line: string): WorkerEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as WorkerEvent;
  } catch {
    return undefined;
  }
}

/** A worker child process: its progress events as they come, and everything it printed (stdout and stderr). */
export class ChaosWorker {
  readonly child: ChildProcess;
  readonly events: WorkerEvent[] = [];
  readonly exited: Promise<WorkerExit>;
  readonly startedAt = Date.now();
  #output = '';
  #waiters: { test: (e: WorkerEvent) => boolean; resolve: () => void }[] = [];

  constructor(config: ChaosWorkerConfig) {
    const dir = mkdtempSync(join(tmpdir(), 'orchestron-worker-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    this.child = spawn(process.execPath, entrypoint(configFile), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
    if (this.child.stdout) {
      createInterface({ input: this.child.stdout }).on('line', (line) => {
        const event = parseEvent(line);
        if (event) this.#record(event);
      });
    }
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.#output += chunk.toString();
      if (process.env.CHAOS_VERBOSE) process.stderr.write(chunk);
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        rmSync(dir, { recursive: true, force: true });
        resolve({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get output(): string {
    return this.#output;
  }

  /** Records this process committed so far. */
  get total(): number {
    return this.events.reduce((max, e) => Math.max(max, e.total ?? 0), 0);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once an event passes `test`; rejects after `timeoutMs`, or when the process exits first. */
  until(test: (event: WorkerEvent) => boolean, timeoutMs = 60_000): Promise<void> {
    if (this.events.some(test)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`worker ${this.pid}: ${why}; last events ${JSON.stringify(this.events.slice(-3))}`));
      const timer = setTimeout(() => fail(`condition not met in ${timeoutMs} ms`), timeoutMs);
      void this.exited.then((exit) => {
        clearTimeout(timer);
        fail(`exited (${exit.code ?? exit.signal}) before the condition was met`);
      });
      this.#waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM (drain), then SIGKILL if it has not exited after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<WorkerExit> {
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  #record(event: WorkerEvent): void {
    this.events.push(event);
    if (process.env.CHAOS_VERBOSE && (event.warn || event.fatal || event.error)) process.stderr.write(`${JSON.stringify(event)}\n`);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.test(event)) return true;
      waiter.resolve();
      return false;
    });
  }
}

export const spawnWorker = (config: ChaosWorkerConfig): ChaosWorker => new ChaosWorker(config);
