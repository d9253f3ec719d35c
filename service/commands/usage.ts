import { storeRegistry } from '../../adapters/registry/stores.ts';

const storeUrlVariables = storeRegistry.flatMap(({ url }) => (url ? [url.variable] : [])).join(', ');

/** Help text of each command, printed by `--help` and after a usage error. */
export const Usage = {
  main: `Usage: orchestron <command> [options]

Commands:
  run      --config FILE   run the pipeline the config describes (HTTP health and metrics, JSON logs)
  check    --config FILE   validate the config and print it resolved, secrets redacted
  replay   --config FILE   republish dead letters (filters, rate limit, parking)
  migrate  --config FILE   create or upgrade the tracker and dedup schema of the configured store
  console  --config FILE   serve the operations console: dead letters, one record, bulk replay, audit, lag
  soak     [options]       push N records through your pipeline on real Kafka: lost, duplicated, latency, gates

Options:
  -h, --help      help for orchestron or a command (orchestron run --help)
  -v, --version   print the version

On Bun: bun runtime-bun/main.ts <command> …   On Deno: deno task orchestron <command> …
Docs: docs/cli/*.md; configuration reference: docs/configuration.md`,
  run: `Usage: orchestron run --config FILE

Runs the pipeline described by FILE (YAML or JSON): source → decode → dedup → transform → produce → dead-letter →
track → commit. Environment variables override the file (KAFKA_BROKERS, ${storeUrlVariables},
FAILURE_MODE, TRACKER_STRATEGY, …; see docs/configuration.md). Serves GET /health/live, /health/ready and /metrics.
SIGTERM or SIGINT drains: the batch in flight commits or aborts, clients close within shutdown.deadlineMs, exit 0.
A second signal exits at once (130).

Options:
  -c, --config FILE   the configuration file (required)
  -h, --help          this help`,
  check: `Usage: orchestron check --config FILE

Validates FILE with the environment overrides applied, loads the user modules it names, and prints the resolved
configuration as JSON with passwords and URL credentials redacted. Exit 0 when valid, 2 with the field and its
allowed values when not.

Options:
  -c, --config FILE   the configuration file (required)
  -h, --help          this help`,
  replay: `Usage: orchestron replay --config FILE [--dlq TOPIC] [options]

Reads a dead-letter topic and republishes its records to where they came from (or --to), stripped of the
dead-letter headers and with replay_count raised; records replayed too often are parked. Reads from where the
replay group left off, so running it again replays only new dead letters.

Options:
  -c, --config FILE        brokers, SASL and TLS come from here (required)
      --dlq TOPIC          dead-letter topic; default deadLetterTopic, else <first topic>-dlq
      --to TOPIC           republish here instead of each record's source_topic
      --category CAT       only this failure category (repeatable): DESERIALIZATION_ERROR, VALIDATION_ERROR,
                           PROCESSING_ERROR, TIMEOUT_ERROR
      --since TIME         only records whose last failure is at or after TIME (ISO 8601 or epoch ms)
      --until TIME         … and before TIME
      --rate N             at most N records per second
      --max-replays N      park a record already replayed N times (default 1)
      --parking-topic T    default <dlq>-parking
      --group ID           the replay consumer group; default orchestron-replay-<dlq>
  -h, --help               this help`,
  migrate: `Usage: orchestron migrate --config FILE [--target tracker|dedup]

Creates or upgrades what the configured store needs: Postgres tables (versioned migrations under an advisory lock),
MongoDB indexes. Redis and the in-memory store need nothing. Safe to run from several instances at once.

Options:
  -c, --config FILE        the configuration file (required)
      --target T           only tracker or dedup (repeatable); default both
  -h, --help               this help`,
  console: `Usage: orchestron console --config FILE

Serves the operations console at /console on console.port (else http.port): the dead letters of the configured
dead-letter topic by time, category, topic and error code, one record with its tracker row, bulk replay of a
selection at a rate (parking what fails again, an audit trail in <dlq>-audit), consumer lag. Needs console.token
(CONSOLE_TOKEN) or console.basicAuth (CONSOLE_USERNAME, CONSOLE_PASSWORD). SIGTERM or SIGINT stops it.
\`run\` serves the same console on its own port when console.enabled is true. See docs/console.md.

Options:
  -c, --config FILE   the configuration file (required)
  -h, --help          this help`,
  soak: `Usage: orchestron soak [options]   (orchestron soak --help lists them; see docs/soak.md)`,
} as const;

export type CommandName = Exclude<keyof typeof Usage, 'main'>;
export const CommandNames = Object.keys(Usage).filter((name) => name !== 'main') as CommandName[];
