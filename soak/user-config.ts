import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, messageOf } from '../core/index.ts';
import type { FailureMode } from '../core/index.ts';
import { parseConfigText, validateConfig } from '../service/config/load.ts';
import type { Env } from '../core/index.ts';

/** What a phase changes in the user's `orchestron run` config: where records go, never how they are processed. */
export interface SoakOverrides {
  readonly input: string;
  readonly output: string;
  readonly deadLetter: string;
  readonly groupId: string;
  readonly instanceId: string;
  readonly brokers: readonly string[];
  readonly port: number;
}

/** The user's config as read, checked as `orchestron run` checks it (with the environment applied). */
export interface UserConfig {
  readonly file: string;
  readonly raw: Record<string, unknown>;
  readonly failureMode: FailureMode;
}

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads and validates `--config FILE`; a config that `orchestron run` would refuse is refused here, naming its field. */
export function readUserConfig(file: string, env: Env): UserConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('--config', `cannot read ${file}: ${messageOf(error)}`);
  }
  const raw = parseConfigText(text, file);
  const config = validateConfig(raw, env);
  if (config.transport !== 'kafka') throw new ConfigError('--config', `transport must be kafka for a soak; ${file} says ${config.transport}`);
  return { file: resolve(file), raw: isTree(raw) ? raw : {}, failureMode: config.failureMode };
}

/** Module and file paths of a config, relative to its directory (service/config/schema.ts). */
const pathFields: readonly (readonly string[])[] = [
  ['transform', 'module'],
  ['codec', 'module'],
  ['schema', 'module'],
  ['memory', 'inputFile'],
  ['kafka', 'tls', 'caFile'],
  ['kafka', 'tls', 'certFile'],
  ['kafka', 'tls', 'keyFile'],
];

/**
 * The user's config for one phase, written elsewhere than the original: fresh topics (input, output, dead letters),
 * group and instance id (so a soak never touches the real topics, offsets or transactional ids), the soak's brokers
 * and a free HTTP port; relative module paths made absolute. Transform, codec, schema, failure mode, stores, tracker,
 * retries and batching stay as the user wrote them.
 */
export function soakConfigOf(user: UserConfig, overrides: SoakOverrides): Record<string, unknown> {
  const config = structuredClone(user.raw);
  const base = dirname(user.file);
  for (const path of pathFields) {
    let node: unknown = config;
    for (const key of path.slice(0, -1)) node = isTree(node) ? node[key] : undefined;
    const last = path.at(-1) as string;
    if (isTree(node) && typeof node[last] === 'string' && !isAbsolute(node[last])) node[last] = resolve(base, node[last]);
  }
  const kafka = isTree(config.kafka) ? config.kafka : {};
  const http = isTree(config.http) ? config.http : {};
  return {
    ...config,
    topics: [overrides.input],
    outputTopic: overrides.output,
    deadLetterTopic: overrides.deadLetter,
    kafka: { ...kafka, brokers: overrides.brokers.join(','), groupId: overrides.groupId, instanceId: overrides.instanceId },
    http: { ...http, port: overrides.port },
  };
}
