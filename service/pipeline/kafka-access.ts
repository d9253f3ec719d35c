import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SASLOptions } from '@platformatic/kafka';
import type { ConnectionOptions } from 'node:tls';
import { parseBrokers } from '../../adapters/kafka/index.ts';
import { kafkaClientSettings, resolveClientOptions } from '../../adapters/kafka/client-options.ts';
import type { KafkaClientOptions } from '../../adapters/kafka/index.ts';
import { ConfigError, messageOf } from '../../core/index.ts';
import type { Config } from '../config/schema.ts';

/** How the service reaches Kafka (its transport, the console, replay): the config's brokers, SASL, TLS and client settings. */
export interface KafkaAccess {
  readonly brokers: string[];
  readonly sasl?: SASLOptions;
  readonly tls?: ConnectionOptions;
  readonly client?: KafkaClientOptions;
}

export async function kafkaAccess(config: Config, baseDir: string): Promise<KafkaAccess> {
  const k = config.kafka;
  return {
    brokers: parseBrokers(k.brokers ?? '127.0.0.1:9092'),
    ...(k.sasl ? { sasl: { mechanism: k.sasl.mechanism as 'PLAIN', username: k.sasl.username, password: k.sasl.password } } : {}),
    ...(k.tls ? { tls: await tlsOptions(k.tls, baseDir) } : {}),
    client: k.client,
  };
}

/** The options every client the console opens shares. */
export function clientBase(access: KafkaAccess, clientId: string) {
  return {
    clientId,
    bootstrapBrokers: access.brokers,
    ...kafkaClientSettings(resolveClientOptions(access.client)),
    ...(access.sasl ? { sasl: access.sasl } : {}),
    ...(access.tls ? { tls: access.tls } : {}),
  };
}

/** The dead-letter topic the console shows: `deadLetterTopic`, else the first source topic's `-dlq`, as `replay` picks it. */
export const dlqTopicOf = (config: Config): string => config.deadLetterTopic ?? `${config.topics[0]}-dlq`;

/** The TLS options of `kafka.tls`, its files read relative to the config's folder; a file that cannot be read is a ConfigError naming its field. */
export async function tlsOptions(tls: NonNullable<Config['kafka']['tls']>, baseDir: string) {
  const read = async (field: string, file: string | undefined) => {
    if (!file) return undefined;
    try {
      return await readFile(resolve(baseDir, file), 'utf8');
    } catch (error) {
      throw new ConfigError(`kafka.tls.${field}`, `cannot read ${file}: ${messageOf(error)}`);
    }
  };
  const [ca, cert, key] = await Promise.all([read('caFile', tls.caFile), read('certFile', tls.certFile), read('keyFile', tls.keyFile)]);
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
}
