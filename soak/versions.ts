import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runtime } from './spawn-pipeline.ts';
import { runtimeBinary } from './spawn-pipeline.ts';
import type { Env } from '../core/index.ts';

export interface Versions {
  readonly orchestron: string;
  readonly runtime: string;
  readonly '@platformatic/kafka': string;
  readonly kafka: string | undefined;
}

const packageVersion = (path: string): string => (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;

/** `node 24.21.0` or `bun 1.4.5`: the binary the process under test runs on. */
export function runtimeVersion(runtime: Runtime): string {
  if (runtime === 'node') return `node ${process.versions.node}`;
  try {
    return `bun ${execFileSync(runtimeBinary('bun'), ['--version'], { encoding: 'utf8' }).trim()}`;
  } catch {
    return 'bun (unknown version)';
  }
}

/**
 * The broker's version, when it is the one `npm run services:up` started: its pid file points at a process whose
 * class path names the version (the protocol does not tell). ORCHESTRON_KAFKA_VERSION wins when set.
 */
export function kafkaVersion(env: Env = process.env): string | undefined {
  if (env.ORCHESTRON_KAFKA_VERSION) return env.ORCHESTRON_KAFKA_VERSION;
  try {
    const cache = env.ORCHESTRON_CACHE_DIR ?? join(homedir(), '.cache', 'orchestron');
    const pid = readFileSync(join(cache, 'run', 'kafka.pid'), 'utf8').trim();
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /kafka[/\\](\d+\.\d+\.\d+[^/\\]*)[/\\]libs/.exec(command)?.[1];
  } catch {
    return undefined;
  }
}

/** The nearest package.json at or above `from` whose name is `name` (this package from dist/ or the repository). */
function packageJsonAbove(from: string, name: string): string | undefined {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === name) return file;
    } catch {
      // no package.json here
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const versionOf = (from: string, name: string): string => {
  const file = packageJsonAbove(from, name);
  return file ? packageVersion(file) : 'unknown';
};

export function versions(runtime: Runtime): Versions {
  return {
    orchestron: versionOf(fileURLToPath(import.meta.url), 'orchestron'),
    runtime: runtimeVersion(runtime),
    '@platformatic/kafka': versionOf(fileURLToPath(import.meta.resolve('@platformatic/kafka')), '@platformatic/kafka'),
    kafka: kafkaVersion(),
  };
}
