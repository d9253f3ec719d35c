// Waits until a MongoDB-wire server (FerretDB here) answers `hello` through the mongodb driver,
// or fails with a pointer to its log.
//
//   node scripts/services/wait-mongo.ts --url mongodb://127.0.0.1:27017 [--timeout 60] [--log file] [--pid 1234]
//
// Exit code 0 when the server is ready; 1 on timeout, or as soon as the --pid process has exited.
// Prints nothing on stdout (stdout of services:up is reserved for KEY=value lines).
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'mongodb://127.0.0.1:27017' },
    timeout: { type: 'string', default: '60' },
    log: { type: 'string' },
    pid: { type: 'string' },
  },
});

const deadline = Date.now() + Number(values.timeout) * 1000;
const seeLog = values.log ? `; see ${values.log}` : '';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function hello(): Promise<void> {
  const client = new MongoClient(values.url, {
    serverSelectionTimeoutMS: 2_000,
    connectTimeoutMS: 2_000,
  });
  try {
    await client.connect();
    await client.db('admin').command({ hello: 1 });
  } finally {
    await client.close().catch(() => {});
  }
}

let lastError = 'no attempt made';
for (;;) {
  try {
    await hello();
    process.exit(0);
  } catch (error) {
    lastError = error instanceof Error ? error.message : String(error);
  }

  if (values.pid && !processAlive(Number(values.pid))) {
    console.error(`the server (pid ${values.pid}) exited before answering at ${values.url}${seeLog}`);
    process.exit(1);
  }
  if (Date.now() >= deadline) {
    console.error(
      `${values.url} did not answer hello within ${values.timeout} s (last error: ${lastError})${seeLog}`,
    );
    process.exit(1);
  }
  await sleep(250);
}
