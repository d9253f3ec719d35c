import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetterHeaders } from '../../core/index.ts';
import { ReplayCountHeader } from '../../adapters/kafka/index.ts';
import { produceRecords } from '../../adapters/kafka/testing.ts';
import { cli } from '../cli.ts';
import type { Host, Server } from '../host.ts';
import { serveOnNode } from '../http/node-server.ts';

/** Test support for the console: dead letters as the dead-letter stage writes them. */
export interface DeadLetterSpec {
  readonly id: number;
  readonly category?: string;
  readonly code?: string;
  readonly replayCount?: number;
  readonly truncated?: boolean;
  readonly value?: string;
  readonly failedAt?: Date;
}

export async function writeDeadLetters(dlqTopic: string, sourceTopic: string, specs: readonly DeadLetterSpec[]): Promise<void> {
  const H = DeadLetterHeaders;
  await produceRecords(
    dlqTopic,
    specs.map((spec) => ({
      key: `k${spec.id}`,
      value: spec.value ?? { id: spec.id },
      headers: {
        [H.sourceTopic]: sourceTopic,
        [H.sourcePartition]: '0',
        [H.sourceOffset]: String(spec.id),
        [H.category]: spec.category ?? 'PROCESSING_ERROR',
        [H.code]: spec.code ?? 'PROCESSING_FAILED',
        [H.message]: `record ${spec.id} failed`,
        [H.lastFailureAt]: (spec.failedAt ?? new Date()).toISOString(),
        [H.attempts]: '3',
        ...(spec.replayCount ? { [ReplayCountHeader]: String(spec.replayCount) } : {}),
        ...(spec.truncated ? { [H.sourceValueTruncated]: 'true', [H.sourceValueBytes]: '2000000' } : {}),
      },
    })),
  );
}

export const consoleToken = 'integration-console-token-0001';

/** Waits until `check` holds, polling every 100 ms, or throws after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** `orchestron <argv>` in this process on Node's HTTP server; resolves with its URL once it listens, `stop` signals it and gives its exit code. */
export async function startCli(argv: readonly string[], env: Record<string, string>): Promise<{ url: string; stop(): Promise<number> }> {
  let listening: (server: Server) => void = () => {};
  const served = new Promise<Server>((resolve) => (listening = resolve));
  const stops: (() => void)[] = [];
  const host: Host = {
    runtime: 'node',
    runtimeVersion: process.versions.node,
    argv,
    env: { ...process.env, ...env },
    serve: async (fetch, where) => {
      const server = await serveOnNode(fetch, where);
      listening(server);
      return server;
    },
    onSignal: (_signal, handler) => void stops.push(handler),
    write: () => {},
    exit: () => {},
  };
  const exit = cli(host);
  const server = await Promise.race([served, exit.then((code) => Promise.reject(new Error(`orchestron ${argv[0]} exited ${code}`)))]);
  let stopped: Promise<number> | undefined;
  return {
    url: server.url,
    stop: () => {
      if (!stopped) {
        for (const stop of stops) stop();
        stopped = exit;
      }
      return stopped;
    },
  };
}

/** Writes `config` as a JSON config file in a fresh temporary folder; `remove` deletes the folder. */
export async function configFile(config: object): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'orchestron-console-'));
  const path = join(dir, 'config.json');
  await writeFile(path, JSON.stringify(config));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
