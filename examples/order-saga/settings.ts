import { ConfigError, checkIdentifier, checkKeyPrefix, checkOneOf } from '../../core/index.ts';
import type { FailureMode } from '../../core/index.ts';
import { parseBrokers, resolveInstanceId } from '../../adapters/kafka/index.ts';
import type { Env, OptionSource } from '../settings-sources.ts';
import { LogLevels, failureModeOf, flagList, kafkaName as name, optionsFromFlags, reader, wholeNumber as number } from '../settings-sources.ts';
import type { StateStoreKind } from './join-state.ts';
import { StateStoreKinds } from './join-state.ts';

/** Every setting of the order saga; numbers may also come as text (flags, environment). */
export interface SagaOptions {
  readonly brokers?: string;
  readonly paymentTopic?: string;
  readonly stockTopic?: string;
  /** Where results go: `saga-orders` (the seed's `orders`, renamed so that no other example reads it). */
  readonly ordersTopic?: string;
  /** Dead letters, late arrivals among them (the seed's `recovererDLQ`). */
  readonly dlqTopic?: string;
  readonly groupId?: string;
  /** Stable per instance (its transactional id derives from it); default ORCHESTRON_INSTANCE_ID, then HOSTNAME. */
  readonly instanceId?: string;
  /** `atomic` (exactly-once, default, the seed's EXACTLY_ONCE_V2) or `skip-and-log`. */
  readonly failureMode?: string;
  readonly joinWindowMs?: number | string;
  /** `postgres` (default) or `redis`. */
  readonly stateStore?: string;
  readonly databaseUrl?: string;
  readonly stateTable?: string;
  readonly redisUrl?: string;
  readonly redisKeyPrefix?: string;
  readonly concurrency?: number | string;
  readonly batchSize?: number | string;
  readonly commitIntervalMs?: number | string;
  readonly partitions?: number | string;
  readonly httpHost?: string;
  /** 0 picks a free port. */
  readonly httpPort?: number | string;
  readonly logLevel?: string;
}

export interface SagaSettings {
  readonly brokers: string[];
  readonly paymentTopic: string;
  readonly stockTopic: string;
  readonly ordersTopic: string;
  readonly dlqTopic: string;
  readonly groupId: string;
  readonly instanceId: string;
  readonly failureMode: FailureMode;
  readonly joinWindowMs: number;
  readonly stateStore: StateStoreKind;
  readonly databaseUrl: string | undefined;
  readonly stateTable: string;
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly concurrency: number;
  readonly batchSize: number;
  readonly commitIntervalMs: number;
  readonly partitions: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly logLevel: string;
}

/** Where each option comes from besides the code: its flag and its environment variable. */
export const optionSources: Readonly<Record<keyof SagaOptions, OptionSource>> = {
  brokers: { flag: 'brokers', env: 'KAFKA_BROKERS' },
  paymentTopic: { flag: 'payment-topic', env: 'SAGA_PAYMENT_TOPIC' },
  stockTopic: { flag: 'stock-topic', env: 'SAGA_STOCK_TOPIC' },
  ordersTopic: { flag: 'orders-topic', env: 'SAGA_ORDERS_TOPIC' },
  dlqTopic: { flag: 'dlq-topic', env: 'SAGA_DLQ_TOPIC' },
  groupId: { flag: 'group-id', env: 'SAGA_GROUP_ID' },
  instanceId: { flag: 'instance-id', env: 'ORCHESTRON_INSTANCE_ID' },
  failureMode: { flag: 'failure-mode', env: 'SAGA_FAILURE_MODE' },
  joinWindowMs: { flag: 'join-window-ms', env: 'SAGA_JOIN_WINDOW_MS' },
  stateStore: { flag: 'state-store', env: 'SAGA_STATE_STORE' },
  databaseUrl: { flag: 'database-url', env: 'DATABASE_URL' },
  stateTable: { flag: 'state-table', env: 'SAGA_STATE_TABLE' },
  redisUrl: { flag: 'redis-url', env: 'REDIS_URL' },
  redisKeyPrefix: { flag: 'redis-key-prefix', env: 'SAGA_REDIS_KEY_PREFIX' },
  concurrency: { flag: 'concurrency', env: 'SAGA_CONCURRENCY' },
  batchSize: { flag: 'batch-size', env: 'SAGA_BATCH_SIZE' },
  commitIntervalMs: { flag: 'commit-interval-ms', env: 'SAGA_COMMIT_INTERVAL_MS' },
  partitions: { flag: 'partitions', env: 'SAGA_PARTITIONS' },
  httpHost: { flag: 'http-host', env: 'HTTP_HOST' },
  httpPort: { flag: 'http-port', env: 'HTTP_PORT' },
  logLevel: { flag: 'log-level', env: 'LOG_LEVEL' },
};

export const usage = `Usage: npm run example -- order-saga [--flag value ...]

Joins payment-orders and stock-orders answers by order id within a window, writes CONFIRMED, REJECTED or ROLLBACK to
the orders topic, dead-letters late arrivals, and serves GET /orders?page=&size= and GET /orders/:id. Each flag can
also be set by its environment variable:

${flagList(optionSources, 20)}
  --skip-and-log         same as --failure-mode skip-and-log`;

const defaults = {
  brokers: '127.0.0.1:9092',
  paymentTopic: 'payment-orders',
  stockTopic: 'stock-orders',
  ordersTopic: 'saga-orders',
  dlqTopic: 'recovererDLQ',
  groupId: 'order-saga',
  instanceId: 'order-saga-0',
  failureMode: 'atomic',
  joinWindowMs: 10_000,
  stateStore: 'postgres',
  stateTable: 'order_saga_state',
  redisKeyPrefix: 'order-saga',
  concurrency: 16,
  batchSize: 500,
  commitIntervalMs: 100,
  partitions: 6,
  httpHost: '127.0.0.1',
  httpPort: 8081,
  logLevel: 'info',
} as const;

/** Explicit options, then the environment, then the defaults; every value is checked here, once. */
export function resolveSagaSettings(options: SagaOptions = {}, env: Env = {}): SagaSettings {
  const raw = reader(options, env, optionSources);
  const pick = (field: keyof typeof defaults) => raw(field) ?? defaults[field];
  const settings: SagaSettings = {
    brokers: parseBrokers(String(pick('brokers'))),
    paymentTopic: name('paymentTopic', pick('paymentTopic')),
    stockTopic: name('stockTopic', pick('stockTopic')),
    ordersTopic: name('ordersTopic', pick('ordersTopic')),
    dlqTopic: name('dlqTopic', pick('dlqTopic')),
    groupId: name('groupId', pick('groupId')),
    instanceId: name('instanceId', resolveInstanceId(options.instanceId, env, defaults.instanceId).id),
    failureMode: failureModeOf(pick('failureMode')),
    joinWindowMs: number('joinWindowMs', pick('joinWindowMs'), 1),
    stateStore: checkOneOf('stateStore', pick('stateStore'), StateStoreKinds),
    databaseUrl: raw('databaseUrl') === undefined ? undefined : String(raw('databaseUrl')),
    stateTable: checkIdentifier('stateTable', String(pick('stateTable'))),
    redisUrl: raw('redisUrl') === undefined ? undefined : String(raw('redisUrl')),
    redisKeyPrefix: checkKeyPrefix('redisKeyPrefix', String(pick('redisKeyPrefix'))),
    concurrency: number('concurrency', pick('concurrency'), 1),
    batchSize: number('batchSize', pick('batchSize'), 1),
    commitIntervalMs: number('commitIntervalMs', pick('commitIntervalMs'), 1),
    partitions: number('partitions', pick('partitions'), 1),
    httpHost: String(pick('httpHost')),
    httpPort: number('httpPort', pick('httpPort'), 0),
    logLevel: checkOneOf('logLevel', pick('logLevel'), LogLevels),
  };
  const topics = [settings.paymentTopic, settings.stockTopic, settings.ordersTopic, settings.dlqTopic];
  if (new Set(topics).size !== topics.length) {
    throw new ConfigError('topics', `payment, stock, orders and dead-letter topics must all differ; got ${topics.join(', ')}`);
  }
  return settings;
}

/** The command line as options: `--join-window-ms 3000` → `{ joinWindowMs: '3000' }`; `undefined` for --help. */
export const optionsFromArgs = (argv: readonly string[]): SagaOptions | undefined => optionsFromFlags<SagaOptions>(argv, optionSources);
