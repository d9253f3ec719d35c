// Waits until a Kafka broker answers a metadata request, or fails with a pointer to its log.
//
//   node scripts/services/wait-kafka.ts --brokers 127.0.0.1:9092 [--timeout 90] [--log file] [--pid 1234]
//
// Exit code 0 when the broker is ready; 1 on timeout, or as soon as the --pid process has exited.
// Prints nothing on stdout (stdout of services:up is reserved for KEY=value lines).
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    timeout: { type: 'string', default: '90' },
    log: { type: 'string' },
    pid: { type: 'string' },
  },
});

const brokers = values.brokers.split(',').map((broker) => broker.trim());
const deadline = Date.now() + Number(values.timeout) * 1000;
const seeLog = values.log ? `; see ${values.log}` : '';

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const nested = (error as { errors?: unknown[] }).errors;
  const cause = Array.isArray(nested) && nested.length > 0 ? nested[nested.length - 1] : error.cause;
  return cause ? `${error.message} (${describe(cause)})` : error.message;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// One metadata round trip with a fresh client, so that no connection state survives a failed attempt.
async function brokerCount(): Promise<number> {
  const admin = new Admin({
    clientId: 'orchestron-wait-kafka',
    bootstrapBrokers: brokers,
    retries: 0,
    connectTimeout: 2_000,
    requestTimeout: 5_000,
  });
  try {
    const metadata = await admin.metadata({ topics: [], forceUpdate: true });
    return metadata.brokers.size;
  } finally {
    await admin.close().catch(() => {});
  }
}

let lastError = 'no attempt made';
for (;;) {
  try {
    const count = await brokerCount();
    if (count > 0) process.exit(0);
    lastError = 'metadata response listed no brokers';
  } catch (error) {
    lastError = describe(error);
  }

  if (values.pid && !processAlive(Number(values.pid))) {
    console.error(`Kafka (pid ${values.pid}) exited before answering at ${brokers.join(',')}${seeLog}`);
    process.exit(1);
  }
  if (Date.now() >= deadline) {
    console.error(
      `Kafka at ${brokers.join(',')} did not answer a metadata request within ${values.timeout} s ` +
        `(last error: ${lastError})${seeLog}`,
    );
    process.exit(1);
  }
  await sleep(500);
}
