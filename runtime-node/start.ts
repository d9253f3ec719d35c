import { parseArgs } from 'node:util';
import { FailureModes, TrackerStrategies, checkOneOf, checkWholeNumber } from '../core/index.ts';
import type { FailureMode, TrackerStrategy } from '../core/index.ts';
import { runOrderEnrichment } from '../examples/embedded/order-enrichment.ts';
import type { DemoSummary } from '../examples/embedded/order-enrichment.ts';

const usage = `Usage: npm start -- [--orders N] [--mode atomic|skip-and-log] [--tracker OUTBOX|RELIABLE|LIGHTWEIGHT|NONE]

Runs the embedded default: an order-enrichment pipeline over generated orders, with the in-memory transport,
dedup store and tracker. No services needed. Environment: ORCHESTRON_DEMO_ORDERS, FAILURE_MODE, TRACKER_STRATEGY.`;

function resolveOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      orders: { type: 'string' },
      mode: { type: 'string' },
      tracker: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const ordersText = values.orders ?? process.env.ORCHESTRON_DEMO_ORDERS ?? '20000';
  const orders = checkWholeNumber('orders', /^\d+$/.test(ordersText) ? Number(ordersText) : ordersText);
  return {
    orders,
    failureMode: checkOneOf<FailureMode>('failureMode', values.mode ?? process.env.FAILURE_MODE ?? 'atomic', FailureModes),
    trackerStrategy: checkOneOf<TrackerStrategy>(
      'trackerStrategy',
      values.tracker ?? process.env.TRACKER_STRATEGY ?? 'OUTBOX',
      TrackerStrategies,
    ),
  };
}

function print(summary: DemoSummary): void {
  const lines = [
    `Orchestron embedded demo: order enrichment (${summary.failureMode}, tracker ${summary.trackerStrategy})`,
    `  orders generated      ${summary.generated}`,
    `  enriched and produced ${summary.enriched}`,
    `  deduplicated          ${summary.deduplicated}`,
    `  dead-lettered         ${Object.entries(summary.deadLettered).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `  transform retries     ${summary.transformRetries}`,
    `  batches               ${summary.batches.committed} committed, ${summary.batches.aborted} aborted and redelivered`,
    `  tracker               SUCCESS ${summary.tracker.SUCCESS}, FAILED ${summary.tracker.FAILED}, RECEIVED ${summary.tracker.RECEIVED}`,
    `  time                  ${summary.elapsedMs} ms (${summary.recordsPerSecond} records/s)`,
  ];
  if (summary.sample) lines.push(`  sample output         ${JSON.stringify(summary.sample)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

try {
  const options = resolveOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(`${usage}\n`);
  } else {
    print(await runOrderEnrichment(options));
  }
} catch (error) {
  process.stderr.write(`orchestron: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exitCode = 2;
}
