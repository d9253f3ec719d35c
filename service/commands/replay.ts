import { ConfigError, FailureCategories } from '../../core/index.ts';
import type { FailureCategory } from '../../core/index.ts';
import { replay } from '../../adapters/kafka/replay.ts';
import type { ReplaySummary } from '../../adapters/kafka/replay.ts';
import { loadConfig } from '../config/load.ts';
import { dlqTopicOf, kafkaAccess } from '../pipeline/kafka-access.ts';
import type { Host } from '../host.ts';
import type { ServiceLogger } from '../logging.ts';
import { createLogger } from '../logging.ts';
import { startTracing } from '../pipeline/tracing.ts';

export interface ReplayFlags {
  readonly config: string;
  readonly dlq?: string;
  readonly to?: string;
  readonly category?: readonly string[];
  readonly since?: string;
  readonly until?: string;
  readonly rate?: string;
  readonly 'max-replays'?: string;
  readonly 'parking-topic'?: string;
  readonly group?: string;
}

const time = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(value)) throw new ConfigError(flag, `expected an ISO 8601 time or epoch milliseconds; got ${JSON.stringify(text)}`);
  return value;
};

const count = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new ConfigError(flag, `must be a whole number ≥ 1; got ${JSON.stringify(text)}`);
  return Number(text);
};

/** Replays a dead-letter topic until it is caught up or a signal stops it; prints the summary as JSON. */
export async function replayCommand(host: Host, flags: ReplayFlags, logger?: ServiceLogger): Promise<number> {
  const { config, baseDir } = await loadConfig(flags.config, host.env);
  const access = await kafkaAccess(config, baseDir);
  const categories = (flags.category ?? []).map((category) => {
    if (!(FailureCategories as readonly string[]).includes(category)) {
      throw new ConfigError('--category', `must be one of ${FailureCategories.join(', ')}; got ${JSON.stringify(category)}`);
    }
    return category as FailureCategory;
  });
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) host.onSignal(signal, () => stop.abort());
  const dlqTopic = flags.dlq ?? dlqTopicOf(config);
  const optional = {
    to: flags.to,
    since: time('--since', flags.since),
    until: time('--until', flags.until),
    ratePerSecond: count('--rate', flags.rate),
    maxReplays: count('--max-replays', flags['max-replays']),
    parkingTopic: flags['parking-topic'],
    groupId: flags.group,
    brokers: access.brokers,
    client: access.client,
    sasl: access.sasl,
    tls: access.tls,
  };
  const tracing = await startTracing(config.tracing);
  let summary: ReplaySummary;
  try {
    summary = await replay({
      dlqTopic,
      ...(categories.length ? { categories } : {}),
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
      signal: stop.signal,
      logger: logger ?? createLogger(config.log.level),
      tracer: tracing.tracer,
    });
  } finally {
    await tracing.shutdown();
  }
  host.write('stdout', `${JSON.stringify({ dlqTopic, ...summary })}\n`);
  return 0;
}
