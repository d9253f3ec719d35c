import { ConfigError, OrderByValues, TrackerStrategies, checkIdentifier, checkOneOf, shownValue } from '../../core/index.ts';
import type { FailureMode, OrderBy, TrackerStrategy } from '../../core/index.ts';
import { parseBrokers, resolveInstanceId } from '../../adapters/kafka/index.ts';
import type { Env, OptionSource, Value } from '../settings-sources.ts';
import { LogLevels, failureModeOf, flagList, kafkaName as name, optionsFromFlags, reader, wholeNumber as number } from '../settings-sources.ts';

/** Every setting of the orders orchestrator; numbers and booleans may also come as text (flags, environment). */
export interface OrchestratorOptions {
  readonly brokers?: string;
  readonly databaseUrl?: string;
  /** The topic orders are read from (the seed's source topic). */
  readonly sourceTopic?: string;
  /** The topic enriched orders go to (the seed's target topic). */
  readonly targetTopic?: string;
  /** Dead letters; default `<sourceTopic>-dlq`. */
  readonly dlqTopic?: string;
  readonly groupId?: string;
  /** Stable per instance (its transactional id derives from it); default ORCHESTRON_INSTANCE_ID, then HOSTNAME. */
  readonly instanceId?: string;
  /** `atomic` (exactly-once, default) or `skip-and-log`; the seed's `ATOMIC` and `SKIP_AND_LOG` are accepted too. */
  readonly failureMode?: string;
  /** The seed's `orchestrator.db-strategy`: OUTBOX (default), RELIABLE, LIGHTWEIGHT or NONE. */
  readonly dbStrategy?: string;
  readonly trackerTable?: string;
  readonly capturePayload?: boolean | string;
  /** Transform attempts per delivery (the seed's `non-atomic-max-attempts`, default 3). */
  readonly maxAttempts?: number | string;
  readonly retryDelayMs?: number | string;
  readonly transformTimeoutMs?: number | string;
  /** Transforms in flight at once (the seed ran them on virtual threads). */
  readonly concurrency?: number | string;
  readonly orderBy?: string;
  readonly batchSize?: number | string;
  readonly commitIntervalMs?: number | string;
  readonly partitions?: number | string;
  /** The seed's `dbCircuitFailureThreshold` and `dbCircuitOpenMs`. */
  readonly dbCircuitFailureThreshold?: number | string;
  readonly dbCircuitOpenMs?: number | string;
  /** The TimeoutSafeguard: how often it sweeps, and how old a RECEIVED row must be to be marked FAILED. */
  readonly safeguardIntervalMs?: number | string;
  readonly safeguardStaleMs?: number | string;
  readonly httpHost?: string;
  /** 0 picks a free port. */
  readonly httpPort?: number | string;
  readonly logLevel?: string;
}

export interface OrchestratorSettings {
  readonly brokers: string[];
  readonly databaseUrl: string | undefined;
  readonly sourceTopic: string;
  readonly targetTopic: string;
  readonly dlqTopic: string;
  readonly groupId: string;
  readonly instanceId: string;
  readonly failureMode: FailureMode;
  readonly dbStrategy: TrackerStrategy;
  readonly trackerTable: string;
  readonly capturePayload: boolean;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly transformTimeoutMs: number;
  readonly concurrency: number;
  readonly orderBy: OrderBy;
  readonly batchSize: number;
  readonly commitIntervalMs: number;
  readonly partitions: number;
  readonly dbCircuitFailureThreshold: number;
  readonly dbCircuitOpenMs: number;
  readonly safeguardIntervalMs: number;
  readonly safeguardStaleMs: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly logLevel: string;
}

/** Where each option comes from besides the code: its flag and its environment variable. */
export const optionSources: Readonly<Record<keyof OrchestratorOptions, OptionSource>> = {
  brokers: { flag: 'brokers', env: 'KAFKA_BROKERS' },
  databaseUrl: { flag: 'database-url', env: 'DATABASE_URL' },
  sourceTopic: { flag: 'source-topic', env: 'ORCHESTRATOR_SOURCE_TOPIC' },
  targetTopic: { flag: 'target-topic', env: 'ORCHESTRATOR_TARGET_TOPIC' },
  dlqTopic: { flag: 'dlq-topic', env: 'ORCHESTRATOR_DLQ_TOPIC' },
  groupId: { flag: 'group-id', env: 'ORCHESTRATOR_GROUP_ID' },
  instanceId: { flag: 'instance-id', env: 'ORCHESTRON_INSTANCE_ID' },
  failureMode: { flag: 'failure-mode', env: 'ORCHESTRATOR_FAILURE_MODE' },
  dbStrategy: { flag: 'db-strategy', env: 'ORCHESTRATOR_DB_STRATEGY' },
  trackerTable: { flag: 'tracker-table', env: 'ORCHESTRATOR_TRACKER_TABLE' },
  capturePayload: { flag: 'capture-payload', env: 'ORCHESTRATOR_CAPTURE_PAYLOAD', boolean: true },
  maxAttempts: { flag: 'max-attempts', env: 'ORCHESTRATOR_MAX_ATTEMPTS' },
  retryDelayMs: { flag: 'retry-delay-ms', env: 'ORCHESTRATOR_RETRY_DELAY_MS' },
  transformTimeoutMs: { flag: 'transform-timeout-ms', env: 'ORCHESTRATOR_TRANSFORM_TIMEOUT_MS' },
  concurrency: { flag: 'concurrency', env: 'ORCHESTRATOR_CONCURRENCY' },
  orderBy: { flag: 'order-by', env: 'ORCHESTRATOR_ORDER_BY' },
  batchSize: { flag: 'batch-size', env: 'ORCHESTRATOR_BATCH_SIZE' },
  commitIntervalMs: { flag: 'commit-interval-ms', env: 'ORCHESTRATOR_COMMIT_INTERVAL_MS' },
  partitions: { flag: 'partitions', env: 'ORCHESTRATOR_PARTITIONS' },
  dbCircuitFailureThreshold: { flag: 'db-circuit-failure-threshold', env: 'ORCHESTRATOR_DB_CIRCUIT_FAILURE_THRESHOLD' },
  dbCircuitOpenMs: { flag: 'db-circuit-open-ms', env: 'ORCHESTRATOR_DB_CIRCUIT_OPEN_MS' },
  safeguardIntervalMs: { flag: 'safeguard-interval-ms', env: 'ORCHESTRATOR_SAFEGUARD_INTERVAL_MS' },
  safeguardStaleMs: { flag: 'safeguard-stale-ms', env: 'ORCHESTRATOR_SAFEGUARD_STALE_MS' },
  httpHost: { flag: 'http-host', env: 'HTTP_HOST' },
  httpPort: { flag: 'http-port', env: 'HTTP_PORT' },
  logLevel: { flag: 'log-level', env: 'LOG_LEVEL' },
};

export const usage = `Usage: npm run example -- orders-orchestrator [--flag value ...]

Reads orders from the source topic, enriches them in parallel and writes them to the target topic, exactly-once
(atomic) by default, with a Postgres failure tracker, the stale-RECEIVED safeguard and Prometheus metrics on
GET /metrics. Each flag can also be set by its environment variable:

${flagList(optionSources, 30)}
  --skip-and-log                   same as --failure-mode skip-and-log`;

const defaults = {
  brokers: '127.0.0.1:9092',
  sourceTopic: 'orders',
  targetTopic: 'enriched-orders',
  groupId: 'orders-orchestrator',
  instanceId: 'orders-orchestrator-0',
  failureMode: 'atomic',
  dbStrategy: 'OUTBOX',
  trackerTable: 'orchestron_records',
  maxAttempts: 3,
  retryDelayMs: 1_000,
  transformTimeoutMs: 30_000,
  concurrency: 16,
  orderBy: 'key',
  batchSize: 500,
  commitIntervalMs: 100,
  partitions: 6,
  dbCircuitFailureThreshold: 5,
  dbCircuitOpenMs: 10_000,
  safeguardIntervalMs: 60_000,
  safeguardStaleMs: 300_000,
  httpHost: '127.0.0.1',
  httpPort: 8080,
  logLevel: 'info',
} as const;

function flag(field: string, value: Value): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(field, `must be true or false; got ${shownValue(value)}`);
}

/** Explicit options, then the environment, then the defaults; every value is checked here, once. */
export function resolveOrchestratorSettings(options: OrchestratorOptions = {}, env: Env = {}): OrchestratorSettings {
  const raw = reader(options, env, optionSources);
  const pick = (field: keyof typeof defaults) => raw(field) ?? defaults[field];
  const sourceTopic = name('sourceTopic', pick('sourceTopic'));
  return {
    brokers: parseBrokers(String(pick('brokers'))),
    databaseUrl: raw('databaseUrl') === undefined ? undefined : String(raw('databaseUrl')),
    sourceTopic,
    targetTopic: name('targetTopic', pick('targetTopic')),
    dlqTopic: name('dlqTopic', raw('dlqTopic') ?? `${sourceTopic}-dlq`),
    groupId: name('groupId', pick('groupId')),
    instanceId: name('instanceId', resolveInstanceId(options.instanceId, env, defaults.instanceId).id),
    failureMode: failureModeOf(pick('failureMode')),
    dbStrategy: checkOneOf('dbStrategy', String(pick('dbStrategy')).toUpperCase(), TrackerStrategies),
    trackerTable: checkIdentifier('trackerTable', String(pick('trackerTable'))),
    capturePayload: flag('capturePayload', raw('capturePayload') ?? false),
    maxAttempts: number('maxAttempts', pick('maxAttempts'), 1),
    retryDelayMs: number('retryDelayMs', pick('retryDelayMs'), 0),
    transformTimeoutMs: number('transformTimeoutMs', pick('transformTimeoutMs'), 0),
    concurrency: number('concurrency', pick('concurrency'), 1),
    orderBy: checkOneOf('orderBy', pick('orderBy'), OrderByValues),
    batchSize: number('batchSize', pick('batchSize'), 1),
    commitIntervalMs: number('commitIntervalMs', pick('commitIntervalMs'), 1),
    partitions: number('partitions', pick('partitions'), 1),
    dbCircuitFailureThreshold: number('dbCircuitFailureThreshold', pick('dbCircuitFailureThreshold'), 1),
    dbCircuitOpenMs: number('dbCircuitOpenMs', pick('dbCircuitOpenMs'), 1),
    safeguardIntervalMs: number('safeguardIntervalMs', pick('safeguardIntervalMs'), 1),
    safeguardStaleMs: number('safeguardStaleMs', pick('safeguardStaleMs'), 1),
    httpHost: String(pick('httpHost')),
    httpPort: number('httpPort', pick('httpPort'), 0),
    logLevel: checkOneOf('logLevel', pick('logLevel'), LogLevels),
  };
}

/** The command line as options: `--source-topic x` → `{ sourceTopic: 'x' }`; `undefined` for --help. */
export const optionsFromArgs = (argv: readonly string[]): OrchestratorOptions | undefined => optionsFromFlags<OrchestratorOptions>(argv, optionSources);
