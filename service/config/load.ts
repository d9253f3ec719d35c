import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as v from 'valibot';
import { parse as parseYaml } from 'yaml';
import { ConfigError, FailureModes, checkRetryTopics, failurePolicy, messageOf } from '../../core/index.ts';
import { groupSessionSettings, parseBrokers } from '../../adapters/kafka/index.ts';
import { consoleCredentials } from '../console/credentials.ts';
import { applyEnv } from './env.ts';
import type { Env } from './env.ts';
import { describeIssue } from './issues.ts';
import { ConfigSchema } from './schema.ts';
import type { Config } from './schema.ts';

/** A validated configuration and the directory its module paths are relative to. */
export interface LoadedConfig {
  readonly config: Config;
  readonly baseDir: string;
  readonly file?: string;
}

/** Parses YAML or JSON text (JSON is YAML, but JSON files get JSON's error messages). */
export function parseConfigText(text: string, name: string): unknown {
  try {
    return /\.json$/i.test(name) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError('config', `${name} is not valid ${/\.json$/i.test(name) ? 'JSON' : 'YAML'}: ${messageOf(error)}`);
  }
}

/** Environment overrides, then validation against the schema; every problem is reported at once, each naming its field. */
export function validateConfig(raw: unknown, env: Env = {}): Config {
  const result = v.safeParse(ConfigSchema, applyEnv(raw ?? {}, env), { abortPipeEarly: true });
  if (!result.success) {
    // Wrong values first: they are what the user just typed; missing keys after.
    const problems = result.issues
      .map((issue) => describeIssue(ConfigSchema as never, issue))
      .sort((a, b) => Number(a.missing ?? false) - Number(b.missing ?? false));
    const first = problems[0]!;
    const rest = problems.slice(1).map((p) => `\n  ${p.field}: ${p.message}`).join('');
    throw new ConfigError(first.field, `${first.message}${rest}`);
  }
  const config = result.output;
  if (config.kafka.brokers !== undefined) {
    try {
      parseBrokers(config.kafka.brokers);
    } catch (error) {
      throw new ConfigError('kafka.brokers', (error as ConfigError).message.replace(/^brokers: /, ''));
    }
  }
  if (config.kafka.readyMaxLag !== undefined && config.kafka.lagIntervalMs === 0) {
    throw new ConfigError('kafka.readyMaxLag', 'needs the consumer lag measured: kafka.lagIntervalMs is 0 (set it above 0, or leave readyMaxLag out)');
  }
  if (config.retryTopics.enabled) checkRetryTopicsConfig(config);
  if (config.console.enabled && !config.http.enabled) {
    throw new ConfigError('console.enabled', 'the console is served on the HTTP port: http.enabled is false (turn it on, or run `orchestron console`)');
  }
  if (config.console.enabled) consoleCredentials(config);
  try {
    groupSessionSettings(config.kafka, config.kafka.groupProtocol as 'classic');
  } catch (error) {
    const { field, message } = error as ConfigError;
    throw new ConfigError(`kafka.${field}`, message.replace(`${field}: `, ''));
  }
  return config;
}

/** Reads, parses and validates a config file; `env` overrides its values (see env.ts). */
/** Retry topics: the failure mode must allow them (the failure policy decides) and the delays must grow. */
function checkRetryTopicsConfig(config: Config): void {
  if (config.transport !== 'kafka') {
    throw new ConfigError('retryTopics.enabled', `needs transport kafka (allowed: kafka), not ${config.transport}: the retry consumer holds a partition until its record is due, which the in-memory transport does not`);
  }
  if (!failurePolicy(config.failureMode, config.maxDeliveries).retryTopics) {
    throw new ConfigError(
      'retryTopics.enabled',
      `needs failureMode skip-and-log (allowed: ${FailureModes.filter((mode) => failurePolicy(mode, 1).retryTopics).join(', ')}), not ${config.failureMode}: a retry record is written outside the batch's transaction and read by a second consumer group, so it cannot be exactly-once`,
    );
  }
  checkRetryTopics({ delaysMs: config.retryTopics.delaysMs });
}

export async function loadConfig(file: string, env: Env = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ConfigError('config', code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${messageOf(error)}`);
  }
  return { config: validateConfig(parseConfigText(text, file), env), baseDir: dirname(resolve(file)), file };
}
