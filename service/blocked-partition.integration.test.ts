// A dead-letter topic too small for even a truncated dead letter: the source partition of the bad record is blocked
// (readiness 503 naming it, one error line, the metric) while the other partitions flow; once the topic's limit is
// raised, the same process resumes by itself, dead-letters the record once and turns ready again.
import { Admin, ConfigResourceTypes, Producer } from '@platformatic/kafka';
import { describe, expect, it, onTestFailed } from 'vitest';
import { brokers, freshTopics, kcatRead, unique } from '../adapters/kafka/testing.ts';
import { spawnCli, writeConfig } from './testing/spawn-cli.ts';

const perPartition = 20;
const badOffset = 5;

interface Ready {
  readonly status: number;
  readonly checks: Record<string, string>;
}

async function readiness(url: string): Promise<Ready> {
  const response = await fetch(`${url}/health/ready`);
  const body = (await response.json()) as { checks?: Record<string, string> };
  return { status: response.status, checks: body.checks ?? {} };
}

/** Polls readiness until `done` holds; returns the report and when it held, or throws after `timeoutMs`. */
async function until(url: string, done: (ready: Ready) => boolean, timeoutMs: number): Promise<Ready & { at: number }> {
  const deadline = Date.now() + timeoutMs;
  let last: Ready | undefined;
  while (Date.now() < deadline) {
    last = await readiness(url).catch(() => undefined);
    if (last && done(last)) return { ...last, at: Date.now() };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`readiness not as expected within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

async function produce(topic: string): Promise<void> {
  const producer = new Producer({ clientId: unique('blocked-producer'), bootstrapBrokers: brokers });
  try {
    const messages = [0, 1, 2].flatMap((partition) =>
      Array.from({ length: perPartition }, (_, i) => ({
        topic,
        partition,
        key: Buffer.from(`k${partition}`),
        value: Buffer.from(partition === 0 && i === badOffset ? '{broken' : JSON.stringify({ id: partition * perPartition + i })),
      })),
    );
    await producer.send({ messages });
  } finally {
    await producer.close();
  }
}

async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
  const offsets = new Map<number, bigint>();
  for (const t of group?.topics ?? []) {
    if (t.name !== topic) continue;
    for (const p of t.partitions) offsets.set(p.partitionIndex, p.committedOffset);
  }
  return offsets;
}

async function setMaxMessageBytes(admin: Admin, topic: string, bytes: number): Promise<void> {
  await admin.alterConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs: [{ name: 'max.message.bytes', value: String(bytes) }] }],
  });
}

describe.concurrent('a dead-letter topic that cannot take the dead letters', () => {
  for (const failureMode of ['skip-and-log', 'atomic'] as const) {
    it(`${failureMode}: blocks the bad record's partition, the others flow, and it resumes once the topic takes it`, async () => {
      const topics = await freshTopics(`blocked-${failureMode}`, 3, ['in', 'dlq']);
      const input = topics.in!;
      const dlq = topics.dlq!;
      const admin = new Admin({ clientId: unique('blocked-admin'), bootstrapBrokers: brokers });
      const groupId = unique('blocked');
      await setMaxMessageBytes(admin, dlq, 100);
      await produce(input);
      const file = await writeConfig({
        transport: 'kafka',
        topics: [input],
        deadLetterTopic: dlq,
        failureMode,
        kafka: { groupId, commitIntervalMs: 50 },
        http: { port: 0, host: '127.0.0.1' },
      });
      const cli = spawnCli('node', ['run', '--config', file], { ORCHESTRON_INSTANCE_ID: unique('blocked') });
      onTestFailed(() => console.error(`--- ${failureMode}: orchestron run output ---\n${cli.output().slice(-100_000)}`));
      try {
        const url = await cli.url(60_000);
        const assigned = await until(url, (r) => r.checks.assignment === 'ok' || r.checks[`partition:${input}/0`] !== undefined, 60_000);
        const blocked = await until(url, (r) => r.checks[`partition:${input}/0`]?.startsWith('blocked') === true, 30_000);
        expect(blocked.status).toBe(503);
        expect(blocked.at - assigned.at).toBeLessThan(5_000);
        expect(blocked.checks[`partition:${input}/1`]).toBeUndefined();
        const metrics = await (await fetch(`${url}/metrics`)).text();
        expect(metrics).toMatch(new RegExp(`orchestron_partition_blocked\\{topic="${input}",partition="0",reason="[A-Z_]+"\\} 1`));

        // The other partitions are committed to their end; nothing is committed past the bad record.
        const deadline = Date.now() + 20_000;
        let offsets = await committedOffsets(admin, groupId, input);
        while (Date.now() < deadline && !(offsets.get(1) === BigInt(perPartition) && offsets.get(2) === BigInt(perPartition))) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          offsets = await committedOffsets(admin, groupId, input);
        }
        expect(offsets.get(1)).toBe(BigInt(perPartition));
        expect(offsets.get(2)).toBe(BigInt(perPartition));
        expect(offsets.get(0) ?? -1n).toBeLessThanOrEqual(BigInt(badOffset));
        expect(cli.lines.filter((line) => line.msg?.startsWith('source partition blocked'))).toHaveLength(1);

        await setMaxMessageBytes(admin, dlq, 1_048_588);
        const fixedAt = Date.now();
        const ready = await until(url, (r) => r.status === 200, 60_000);
        expect(ready.at - fixedAt).toBeLessThan(60_000);
        await cli.waitFor((line) => line.msg === 'source partition resumed: its dead letters were written', 10_000);
        offsets = await committedOffsets(admin, groupId, input);
        expect(offsets.get(0)).toBe(BigInt(perPartition));
        const letters = await kcatRead(brokers.join(','), dlq);
        expect(letters.map((m) => m.value.toString())).toEqual(['{broken']);
        console.log(`${failureMode}: blocked ${blocked.at - assigned.at} ms after assignment; ready ${ready.at - fixedAt} ms after the fix`);
      } finally {
        cli.signal('SIGTERM');
        await Promise.race([cli.exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
        cli.child.kill('SIGKILL');
        await admin.close();
      }
    });
  }
});
