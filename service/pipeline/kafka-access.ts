import type { SASLOptions } from '@platformatic/kafka';
import type { ConnectionOptions } from 'node:tls';
import { parseBrokers } from '../../adapters/kafka/index.ts';
import { kafkaClientSettings, resolveClientOptions } from '../../adapters/kafka/client-options.ts';
import type { KafkaClientOptions } from '../../adapters/kafka/index.ts';
import type { Config } from '../config/schema.ts';
import { tlsOptions } from './transport.ts';

/** How a command reaches Kafka outside a pipeline (the console, replay): the config's brokers, SASL, TLS and client settings. */
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
