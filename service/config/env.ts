import { storeRegistry } from '../../adapters/registry/stores.ts';

/** Environment variables that override the config file, and the key each one sets. */
export const EnvOverrides = [
  { variable: 'KAFKA_BROKERS', path: ['kafka', 'brokers'] },
  { variable: 'KAFKA_GROUP_ID', path: ['kafka', 'groupId'] },
  { variable: 'ORCHESTRON_INSTANCE_ID', path: ['kafka', 'instanceId'] },
  { variable: 'KAFKA_SASL_MECHANISM', path: ['kafka', 'sasl', 'mechanism'] },
  { variable: 'KAFKA_SASL_USERNAME', path: ['kafka', 'sasl', 'username'] },
  { variable: 'KAFKA_SASL_PASSWORD', path: ['kafka', 'sasl', 'password'] },
  ...storeRegistry.flatMap(({ name, url }) => (url ? [{ variable: url.variable, path: [name, 'url'] }] : [])),
  { variable: 'FAILURE_MODE', path: ['failureMode'] },
  { variable: 'TRACKER_STRATEGY', path: ['trackerStrategy'] },
  { variable: 'ORCHESTRON_STORE', path: ['store'] },
  { variable: 'LOG_LEVEL', path: ['log', 'level'] },
  { variable: 'OTEL_SERVICE_NAME', path: ['tracing', 'serviceName'] },
  { variable: 'RETRY_JITTER', path: ['retry', 'jitter'] },
  { variable: 'PORT', path: ['http', 'port'], number: true },
  { variable: 'HTTP_PORT', path: ['http', 'port'], number: true },
  { variable: 'CONSOLE_PORT', path: ['console', 'port'], number: true },
  { variable: 'CONSOLE_TOKEN', path: ['console', 'token'] },
  { variable: 'CONSOLE_USERNAME', path: ['console', 'basicAuth', 'username'] },
  { variable: 'CONSOLE_PASSWORD', path: ['console', 'basicAuth', 'password'] },
] as const;

export type { Env } from '../../core/index.ts';
import type { Env } from '../../core/index.ts';

type Tree = Record<string, unknown>;

const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A copy of `raw` with every set override applied (later entries win: HTTP_PORT over PORT). */
export function applyEnv(raw: unknown, env: Env): unknown {
  if (!isTree(raw)) return raw;
  const result: Tree = structuredClone(raw);
  for (const override of EnvOverrides) {
    const text = env[override.variable];
    if (text === undefined || text === '') continue;
    const value = 'number' in override && /^\d+$/.test(text) ? Number(text) : text;
    let node = result;
    for (const key of override.path.slice(0, -1)) {
      if (!isTree(node[key])) node[key] = {};
      node = node[key] as Tree;
    }
    node[override.path[override.path.length - 1]!] = value;
  }
  return result;
}
