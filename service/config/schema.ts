import * as v from 'valibot';
import { FailureModes, JitterModes, contextDefaults, OrderByValues, TrackerStrategies, defaultBreakerOptions, defaultRetry, transformDefaults } from '../../core/index.ts';
import { CompressionValues, GroupProtocolValues, concurrentTransactionsBackoff, kafkaClientDefaults, kafkaDefaults } from '../../adapters/kafka/index.ts';
import { choice, flag, int, optionalInt, section, text } from '../../adapters/registry/config-fields.ts';
import { storeSections } from '../../adapters/registry/store-sections.ts';
import { StoreNames, storeRegistry } from '../../adapters/registry/stores.ts';

export const Transports = ['kafka', 'memory'] as const;
export const Codecs = ['json', 'utf8'] as const;
export const LogLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const SaslMechanisms = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** User code: a module path (relative to the config file) and the export to use. */
const userModule = (about: string) =>
  v.strictObject({
    module: v.pipe(v.string(), v.minLength(1), v.description(about)),
    export: v.optional(v.pipe(v.string(), v.minLength(1), v.description('Named export; `default` by default.')), 'default'),
  });

const kafkaClient = section(
  {
    retries: optionalInt(
      0,
      `How many times a failed request is retried. Client default ${kafkaClientDefaults.retries}; the producer's is unlimited (it is idempotent, and takes 0 or 1 as unlimited too).`,
    ),
    retryDelayMs: optionalInt(
      0,
      `Delay between retries. Client default ${kafkaClientDefaults.retryDelayMs}. A transactional call refused with CONCURRENT_TRANSACTIONS (the previous transaction still completing) retries sooner: after ${concurrentTransactionsBackoff.firstMs} ms, doubling up to ${concurrentTransactionsBackoff.maxMs} ms, for ${concurrentTransactionsBackoff.budgetMs} ms in all.`,
    ),
    requestTimeoutMs: optionalInt(1, `How long a request waits for the broker's answer. Client default ${kafkaClientDefaults.requestTimeoutMs}.`),
    connectTimeoutMs: optionalInt(1, `How long connecting to a broker (TCP, TLS, SASL) may take. Client default ${kafkaClientDefaults.connectTimeoutMs}.`),
    metadataMaxAgeMs: optionalInt(0, `How old cluster metadata (leaders, partitions) may get before it is fetched again. Client default ${kafkaClientDefaults.metadataMaxAgeMs}.`),
  },
  "The Kafka client's retry and timeout settings, for the consumer, the producer and the admin client alike; unset ones keep the client's defaults.",
);

const kafka = section(
  {
    brokers: v.optional(
      v.pipe(
        v.union([v.string(), v.array(v.string())]),
        v.description(`\`host:port\` list (array or comma-separated). Env: KAFKA_BROKERS. Default ${kafkaDefaults.brokers}.`),
      ),
    ),
    groupId: v.optional(v.pipe(v.string(), v.minLength(1), v.description('Consumer group. Env: KAFKA_GROUP_ID.')), 'orchestron'),
    clientId: text('Client id shown by the broker; default `orchestron-<instanceId>`.'),
    instanceId: text(
      'Stable identity across restarts, unique per process (pod name): the transactional id is `<transactionalIdPrefix>-<instanceId>` and, with static membership, the group instance id. Two live processes with the same one fence each other. Env: ORCHESTRON_INSTANCE_ID, then HOSTNAME.',
    ),
    staticMembership: v.optional(
      v.pipe(
        v.boolean(),
        v.description(
          "Static group membership with the instance id as `group.instance.id`: a restarted instance takes its partitions back at once. Default on when the instance id is explicit (`instanceId` or ORCHESTRON_INSTANCE_ID), off when it comes from HOSTNAME (not unique per process, not stable for a Deployment's pods) and with groupProtocol `consumer` (see docs/adapters/kafka.md).",
        ),
      ),
    ),
    groupProtocol: choice(
      GroupProtocolValues as unknown as readonly ['classic', ...string[]],
      kafkaDefaults.groupProtocol,
      "Consumer group protocol: `classic`, or `consumer` (KIP-848, Kafka 4.0+: the broker assigns partitions and sets the session timeout and heartbeat interval, so `sessionTimeoutMs` and `heartbeatIntervalMs` are refused with it).",
    ),
    transactionalIdPrefix: text('Default the group id.'),
    batchSize: int(1, kafkaDefaults.batchSize, 'Most records per batch (one transaction in atomic mode).'),
    lingerMs: int(
      0,
      kafkaDefaults.lingerMs,
      'Longest a batch waits for more records once its first one arrived (a full batch goes at once). Records are not held for the commit interval.',
    ),
    commitIntervalMs: int(
      1,
      kafkaDefaults.commitIntervalMs,
      'How often progress is made durable: at-least-once, the offsets of the batches finished meanwhile are committed together; atomic, one transaction spans the batches processed within it.',
    ),
    sessionTimeoutMs: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(1_000), v.description(`Consumer group session timeout, classic protocol only. Default ${kafkaDefaults.sessionTimeoutMs}.`)),
    ),
    heartbeatIntervalMs: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(100), v.description(`Classic protocol only. Default a third of the session timeout, at most ${kafkaDefaults.maxHeartbeatIntervalMs}.`)),
    ),
    rebalanceTimeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1_000), v.description(`Default max(sessionTimeoutMs, ${kafkaDefaults.minRebalanceTimeoutMs}).`))),
    transactionTimeoutMs: int(
      1_000,
      kafkaDefaults.transactionTimeoutMs,
      "Atomic mode: how long a transaction may stay open before the coordinator aborts it (Kafka's transaction.timeout.ms; at most the broker's transaction.max.timeout.ms). A batch whose stages take longer never commits.",
    ),
    maxBufferedRecords: int(1, kafkaDefaults.maxBufferedRecords, 'Records buffered ahead of the pipeline before fetching pauses (backpressure).'),
    fetchMaxBytes: int(1, kafkaDefaults.fetchMaxBytes, 'Most bytes one fetch returns; the client decodes a fetch at once, so this bounds how long one keeps the event loop busy.'),
    fetchMaxBytesPerPartition: int(1, kafkaDefaults.fetchMaxBytesPerPartition, 'Most bytes one fetch returns per partition.'),
    compression: choice(CompressionValues as unknown as readonly ['none', ...string[]], kafkaDefaults.compression, 'Producer compression.'),
    fromBeginning: flag(kafkaDefaults.fromBeginning, 'Where a group without committed offsets starts.'),
    stallTimeoutMs: int(
      0,
      kafkaDefaults.stallTimeoutMs,
      'A partition with records waiting and no committed progress for this long is reported stalled (readiness 503, an error line, `orchestron_partition_stalled`) and the consumer is reopened. 0 turns the watchdog off.',
    ),
    lagIntervalMs: int(
      0,
      kafkaDefaults.lagIntervalMs,
      "How often the consumer lag of the partitions assigned to this instance is measured (`orchestron_consumer_lag`: the last stable offset minus the group's committed offset), besides right after a rebalance. 0 turns it off.",
    ),
    readyMaxLag: optionalInt(
      1,
      'Readiness is 503 while a partition assigned to this instance lags by more than this many offsets (as last measured, see `lagIntervalMs`), naming each such partition and its lag. Unset: lag does not affect readiness.',
    ),
    sasl: v.optional(
      v.pipe(
        v.strictObject({
          mechanism: choice(SaslMechanisms, 'PLAIN', 'SASL mechanism. Env: KAFKA_SASL_MECHANISM.'),
          username: v.pipe(v.string(), v.minLength(1), v.description('Env: KAFKA_SASL_USERNAME.')),
          password: v.pipe(v.string(), v.description('Secret: never printed. Env: KAFKA_SASL_PASSWORD.')),
        }),
        v.description('SASL authentication, passed to the Kafka client.'),
      ),
    ),
    tls: v.optional(
      v.pipe(
        v.strictObject({
          caFile: text('PEM file of the CA to trust.'),
          certFile: text('PEM client certificate (mutual TLS).'),
          keyFile: text('PEM client key (mutual TLS). Secret: its contents are never printed.'),
          servername: text('SNI server name.'),
          rejectUnauthorized: flag(true, 'Verify the broker certificate.'),
        }),
        v.description('TLS to the brokers, passed to the Kafka client; `{}` enables TLS with the system CAs.'),
      ),
    ),
    client: kafkaClient,
  },
  'Kafka client settings (transport `kafka`).',
);

/** The service configuration, as read from YAML or JSON; every key is camelCase after the seeds' properties. */
export const ConfigSchema = v.strictObject({
  transport: choice(Transports, 'kafka', 'Where records come from and go to: Kafka, or the in-memory broker (no services).'),
  topics: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1), v.description('Source topics.')),
  outputTopic: text('Where transformed records are produced; without it the pipeline produces nothing (a consumer).'),
  deadLetterTopic: text('Dead-letter topic; default `<source topic>-dlq`.'),
  failureMode: choice(FailureModes, contextDefaults.failureMode, 'atomic: output, dead letters and offsets commit in Kafka transactions, one per commit interval (exactly-once); skip-and-log: retry, dead-letter, move on. Env: FAILURE_MODE.'),
  trackerStrategy: choice(TrackerStrategies, 'NONE', 'Which record statuses the tracker writes. Env: TRACKER_STRATEGY.'),
  store: choice(StoreNames, 'memory', 'Where the tracker and the dedup store keep their state. Env: ORCHESTRON_STORE.'),
  maxAttempts: int(1, defaultRetry.attempts, 'Attempts per record for retryable failures (PROCESSING_ERROR, TIMEOUT_ERROR) before dead-lettering.'),
  maxDeliveries: int(
    1,
    contextDefaults.maxDeliveries,
    'Atomic mode: deliveries of a record after which a failure that would abort its batch again (a retryable one, or a record the output topic refuses, once narrowed down to it) dead-letters it instead.',
  ),
  codec: v.optional(
    v.pipe(v.union([v.picklist(Codecs), userModule('Module exporting a codec `{ name, decode(bytes, record) }`.')]), v.description('How record bytes become values: `json`, `utf8` or a module.')),
    'json',
  ),
  schema: v.optional(v.pipe(userModule('Module exporting a Standard Schema (zod, valibot, arktype, …).'), v.description('Validates decoded values; failures are VALIDATION_ERROR.'))),
  transform: section(
    {
      module: text('Module exporting `(value, record, signal) => output`; without it values pass through unchanged.'),
      export: v.optional(v.pipe(v.string(), v.minLength(1), v.description('Named export; `default` by default.')), 'default'),
      concurrency: int(1, transformDefaults.concurrency, 'Attempts running at once within a batch; records waiting for a retry\'s backoff do not count.'),
      orderBy: choice(OrderByValues as unknown as readonly ['key', ...string[]], transformDefaults.orderBy, 'key: keys of a partition in parallel, each key in order; partition; none.'),
      timeoutMs: int(0, transformDefaults.timeoutMs, 'Deadline of one attempt (TIMEOUT_ERROR past it); 0 disables.'),
    },
    'User code applied to each record.',
  ),
  retry: section(
    {
      initialDelayMs: int(0, defaultRetry.initialDelayMs, 'Ceiling of the first backoff delay; it doubles per retry.'),
      maxDelayMs: int(0, defaultRetry.maxDelayMs, 'Backoff cap.'),
      jitter: choice(
        JitterModes,
        defaultRetry.jitter,
        'How each delay is drawn below its ceiling: full uniformly from 0, equal from half the ceiling, none the ceiling itself. Env: RETRY_JITTER.',
      ),
    },
    'Exponential backoff between attempts.',
  ),
  retryTopics: section(
    {
      enabled: flag(false, 'Non-blocking retries (skip-and-log only): a record failing with a retryable error after its `maxAttempts` goes to `<topic>-retry-<delayMs>` instead of the dead-letter topic, and `run` also runs the retry consumer (group `<groupId>-retry`) that sends it through the transform again once due. See docs/retries.md.'),
      delaysMs: v.optional(
        v.pipe(
          v.array(v.pipe(v.number(), v.integer(), v.minValue(1))),
          v.minLength(1),
          v.description('One retry topic per delay, in order, each delay in ms and longer than the one before; after the last one the record is dead-lettered.'),
        ),
        [10_000, 60_000, 600_000],
      ),
      autoCreateTopics: flag(true, 'At start, create the retry topics that do not exist yet, each with as many partitions as its source topic and the broker\'s default replication factor (as Spring\'s `autoCreateTopics`). Off: create them yourself; a missing one stops `run`.'),
    },
    'Retry topics, Spring Kafka `@RetryableTopic` style.',
  ),
  dedup: section(
    {
      enabled: flag(false, 'Drop records whose key was already processed.'),
      key: choice(['dedupKey', 'recordKey'], 'dedupKey', 'dedupKey: topic-partition-offset; recordKey: the Kafka record key.'),
      ttlMs: int(1, 86_400_000, 'How long a processed key is remembered.'),
    },
    'Deduplication, in the configured store.',
  ),
  breaker: section(
    {
      failureThreshold: int(1, defaultBreakerOptions.failureThreshold, 'Consecutive store failures that open the breaker (dbCircuitFailureThreshold).'),
      openMs: int(1, defaultBreakerOptions.openMs, 'How long it stays open (dbCircuitOpenMs).'),
      callTimeoutMs: int(0, defaultBreakerOptions.callTimeoutMs, 'Deadline of each store call; 0 disables.'),
    },
    'Circuit breaker on tracker and dedup store calls.',
  ),
  safeguard: section(
    {
      enabled: flag(true, 'Sweep stale RECEIVED rows to FAILED (TIMEOUT_ERROR); only with a tracker strategy that writes RECEIVED.'),
      intervalMs: int(1_000, 60_000, 'How often to sweep.'),
      staleAfterMs: int(1_000, 300_000, 'Age after which a RECEIVED row is stale.'),
    },
    'The seeds’ timeout safeguard.',
  ),
  capturePayload: flag(false, 'Store record bytes with tracker rows.'),
  ...storeSections(storeRegistry),
  kafka,
  memory: section(
    {
      inputFile: text('JSON-lines file whose lines are appended to the first source topic at start (transport `memory`).'),
      keyField: text('Top-level JSON field of each input line whose value becomes the record key (partitioning, recordKey dedup).'),
      partitions: int(1, 6, 'Partitions of each in-memory topic.'),
    },
    'The in-memory transport.',
  ),
  http: section(
    {
      enabled: flag(true, 'Serve /health/live, /health/ready and /metrics.'),
      host: v.optional(v.pipe(v.string(), v.minLength(1), v.description('Listen address.')), '0.0.0.0'),
      port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65_535), v.description('Listen port; 0 picks a free one. Env: HTTP_PORT, then PORT.')), 8080),
    },
    'Health and metrics endpoints.',
  ),
  console: section(
    {
      enabled: flag(false, '`run` serves the operations console at `/console` on its HTTP port (`orchestron console` serves it whatever this says).'),
      port: v.optional(
        v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65_535), v.description('Listen port of `orchestron console`; default `http.port`. Env: CONSOLE_PORT.')),
      ),
      token: v.optional(
        v.pipe(v.string(), v.minLength(16), v.description('Secret: never printed. A bearer token (`Authorization: Bearer …`, or typed into the login form); at least 16 characters. Env: CONSOLE_TOKEN.')),
      ),
      basicAuth: v.optional(
        v.pipe(
          v.strictObject({
            username: v.pipe(v.string(), v.minLength(1), v.description('Env: CONSOLE_USERNAME.')),
            password: v.pipe(v.string(), v.minLength(8), v.description('Secret: never printed. At least 8 characters. Env: CONSOLE_PASSWORD.')),
          }),
          v.description('HTTP basic authentication (or the login form), instead of or besides the token.'),
        ),
      ),
      maxRecords: int(1, 10_000, 'Most dead letters the console keeps in memory (the newest); older ones drop out of its pages, not out of the topic.'),
      previewBytes: int(64, 4_096, "Most bytes of a dead letter's value kept and shown as its preview."),
      maxReplayRate: int(1, 1_000, 'Highest replay rate (records per second) an operator may ask for.'),
      sessionTtlMs: int(60_000, 28_800_000, 'How long a login lasts.'),
    },
    'The operations console (docs/console.md): dead letters by time, category, topic and error code; one record; bulk replay with an audit trail; breakers, readiness, lag. Needs `token` or `basicAuth`.',
  ),
  tracing: section(
    {
      enabled: flag(false, 'OpenTelemetry spans per batch and stage (receive, process, send, dead letter, commit), linked to the records’ producer spans; output records and dead letters carry the trace context on. Needs the OpenTelemetry packages (docs/observability.md). Exported with OTLP/HTTP where the OTEL_EXPORTER_OTLP_* variables say.'),
      samplingRatio: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1), v.description('Share of batches traced, 0 to 1; a batch’s spans are all kept or all dropped.')), 1),
      serviceName: v.optional(v.pipe(v.string(), v.minLength(1), v.description('The `service.name` of the spans. Env: OTEL_SERVICE_NAME.')), 'orchestron'),
    },
    'Traces (OpenTelemetry).',
  ),
  log: section(
    {
      level: choice(LogLevels, 'info', 'Env: LOG_LEVEL.'),
      records: flag(false, 'Log a line per committed record (dedupKey, topic, partition, offset).'),
      payloads: flag(contextDefaults.logPayloads, 'Include record payloads in record lines (off: payloads may be personal data).'),
    },
    'JSON logs on stdout.',
  ),
  shutdown: section(
    { deadlineMs: int(100, 10_000, 'On SIGTERM/SIGINT: drain, commit or abort and close clients within this time.') },
    'Graceful shutdown.',
  ),
});

export type ConfigInput = v.InferInput<typeof ConfigSchema>;
export type Config = v.InferOutput<typeof ConfigSchema>;
