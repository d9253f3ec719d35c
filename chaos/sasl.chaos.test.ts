// Scenario 10: security. A private broker with a SASL_PLAINTEXT listener (PLAIN). The right password works; a wrong one
// fails fast with a clear error and without a retry storm (failed authentications counted in the broker's log); and
// neither password ever shows in anything the worker prints.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTopics, unique } from '../adapters/kafka/testing.ts';
import { events, produce } from './input.ts';
import { PrivateBroker } from './private-broker.ts';
import { report } from './report.ts';
import type { ChaosWorkerConfig } from './worker/config.ts';
import { spawnWorker } from './worker/spawn.ts';

const username = 'orchestron';
const password = `right-${randomBytes(8).toString('hex')}`;
const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
const count = 500;
/** Most failed authentications one failing start may cause. */
const maxAttempts = 10;
const failFastMs = 20_000;

let broker: PrivateBroker;
beforeAll(async () => {
  broker = await PrivateBroker.start({ sasl: { username, password } });
}, 180_000);
afterAll(() => broker?.destroy());

const failedAuthentications = async () => (await broker.log()).split('\n').filter((line) => line.includes('Failed authentication')).length;

async function config(): Promise<ChaosWorkerConfig> {
  const topics = await freshTopics('sasl', 3, undefined, broker.directBrokers);
  await produce(broker.directBrokers, topics.in as string, events(count));
  return { brokers: [broker.saslBrokers as string], group: unique('sasl'), input: topics.in as string, output: topics.out as string, failureMode: 'atomic', instanceId: unique('s') };
}

describe('SASL/PLAIN', () => {
  it('with the right password the worker processes its input and never prints the password', async () => {
    const worker = spawnWorker({ ...(await config()), sasl: { mechanism: 'PLAIN', username, password } });
    await worker.until((e) => (e.total ?? 0) >= count, 120_000);
    const exit = await worker.stop();
    expect(exit.code).toBe(0);
    expect(worker.output).not.toContain(password);
  });

  it('with a wrong password the worker fails fast with a clear error, retries little, and prints no password', async () => {
    const before = await failedAuthentications();
    const started = Date.now();
    const worker = spawnWorker({ ...(await config()), sasl: { mechanism: 'PLAIN', username, password: wrongPassword } });
    const exit = await Promise.race([worker.exited, new Promise<undefined>((resolve) => setTimeout(resolve, 60_000))]);
    const failedAfterMs = Date.now() - started;
    if (!exit) worker.kill('SIGKILL');
    await worker.exited;
    // Attempts still under way when the worker exits are logged a moment later.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const attempts = (await failedAuthentications()) - before;
    const fatal = worker.events.find((e) => e.fatal);
    report('sasl wrong password', { records: 0, faults: 'wrong SASL/PLAIN password', lost: 0, duplicated: 0, failedAfterMs, attempts, fatal: fatal ? `${fatal.fatal}: ${fatal.message}` : 'none' });

    expect.soft(exit?.code).toBe(3);
    expect.soft(failedAfterMs).toBeLessThan(failFastMs);
    expect.soft(fatal?.message).toMatch(/SASL|authentication/i);
    expect.soft(attempts).toBeGreaterThan(0);
    expect.soft(attempts).toBeLessThanOrEqual(maxAttempts);
    expect(worker.output).not.toContain(wrongPassword);
    expect(worker.output).not.toContain(password);
  });
});
