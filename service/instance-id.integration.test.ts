// Two live `orchestron run` processes with one instance id: the broker fences one of them, which stops at once with an
// error naming the id and the setting to change, and exits non-zero; the other one goes on.
import { describe, expect, it } from 'vitest';
import { freshTopics, produceRecords, unique } from '../adapters/kafka/testing.ts';
import { spawnCli, writeConfig } from './testing/spawn-cli.ts';
import type { CliProcess } from './testing/spawn-cli.ts';

const records = (count: number) => Array.from({ length: count }, (_, id) => ({ key: `k${id % 60}`, value: { id } }));

async function duplicatePair(failureMode: 'atomic' | 'skip-and-log') {
  const topics = await freshTopics(`dup-${failureMode}`, 2);
  await produceRecords(topics.in!, records(200));
  const instanceId = unique('twin');
  const file = await writeConfig({
    transport: 'kafka',
    topics: [topics.in],
    outputTopic: topics.out,
    failureMode,
    kafka: { groupId: unique('dup'), sessionTimeoutMs: 6_000 },
    http: { enabled: false },
  });
  const env = { ORCHESTRON_INSTANCE_ID: instanceId };
  const first = spawnCli('node', ['run', '--config', file], env);
  const second: { cli?: CliProcess } = {};
  try {
    await first.waitFor((line) => line.msg === 'kafka identity', 60_000);
    // The first one holds its place in the group (and its producer id) before the second one starts.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    second.cli = spawnCli('node', ['run', '--config', file], env);
    const code = await Promise.race([first.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000))]);
    return { instanceId, first, second: second.cli, code };
  } catch (error) {
    first.child.kill('SIGKILL');
    second.cli?.child.kill('SIGKILL');
    throw error;
  }
}

describe.concurrent('two live processes with the same instance id', () => {
  it('at-least-once: static membership fences the older one, which exits 1 naming the id and the setting', async () => {
    const { instanceId, first, second, code } = await duplicatePair('skip-and-log');
    try {
      expect(code).toBe(1);
      const fatal = first.lines.find((line) => line.msg === 'pipeline failed');
      expect(fatal).toMatchObject({ code: 'INSTANCE_ID_IN_USE' });
      expect(String(fatal?.error)).toContain(`instance id "${instanceId}"`);
      expect(String(fatal?.error)).toMatch(/kafka\.instanceId.*ORCHESTRON_INSTANCE_ID/);
      expect(first.lines.find((line) => line.msg === 'kafka identity')).toMatchObject({ instanceId, groupInstanceId: instanceId });
      // The newer one keeps its place and stops normally.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(second.child.exitCode).toBe(null);
      second.signal('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
      second.child.kill('SIGKILL');
    }
  });

  it('exactly-once: the transactional id fences the older one too, which exits 1 naming the setting', async () => {
    const { first, second, code } = await duplicatePair('atomic');
    try {
      expect(code).toBe(1);
      const fatal = first.lines.find((line) => line.msg === 'pipeline failed');
      expect(['INSTANCE_ID_IN_USE', 'PRODUCER_FENCED']).toContain(fatal?.code);
      expect(String(fatal?.error)).toMatch(/kafka\.instanceId.*ORCHESTRON_INSTANCE_ID/);
      second.signal('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
      second.child.kill('SIGKILL');
    }
  });
});

describe('the instance identity at start', () => {
  it('atomic mode without an explicit instance id: logs the transactional id and warns, naming ORCHESTRON_INSTANCE_ID', async () => {
    const topics = await freshTopics('identity', 1);
    const file = await writeConfig({ transport: 'kafka', topics: [topics.in], failureMode: 'atomic', kafka: { groupId: unique('identity') }, http: { enabled: false } });
    const cli = spawnCli('node', ['run', '--config', file], { ORCHESTRON_INSTANCE_ID: '', HOSTNAME: 'identity-host' });
    try {
      const identity = await cli.waitFor((line) => line.msg === 'kafka identity', 60_000);
      expect(identity).toMatchObject({ instanceId: 'identity-host', instanceIdFrom: 'HOSTNAME', groupInstanceId: null });
      expect(String(identity.transactionalId)).toContain('identity-host');
      const warning = await cli.waitFor((line) => line.level === 'warn' && String(line.msg).includes('no explicit instance id'), 10_000);
      expect(String(warning.msg)).toContain('ORCHESTRON_INSTANCE_ID');
      cli.signal('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
