import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readUserConfig, soakConfigOf } from './user-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'soak-user-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const overrides = { input: 'in', output: 'out', deadLetter: 'in-dlq', groupId: 'g', instanceId: 'g-0', brokers: ['b:9092'], port: 4321 };

describe("the user's config in a soak", () => {
  it('replaces only where records go and the port, and makes module paths absolute', () => {
    const file = write(
      'service.yaml',
      'topics: [orders]\noutputTopic: priced\ndeadLetterTopic: orders-dlq\nfailureMode: atomic\nkafka: { brokers: "k:1", groupId: prod, batchSize: 50 }\ntransform: { module: ./price.ts, concurrency: 4 }\nhttp: { port: 8080 }\n',
    );
    const user = readUserConfig(file, {});
    expect(user.failureMode).toBe('atomic');
    expect(soakConfigOf(user, overrides)).toEqual({
      topics: ['in'],
      outputTopic: 'out',
      deadLetterTopic: 'in-dlq',
      failureMode: 'atomic',
      kafka: { brokers: 'b:9092', groupId: 'g', instanceId: 'g-0', batchSize: 50 },
      transform: { module: join(dir, 'price.ts'), concurrency: 4 },
      http: { port: 4321 },
    });
  });

  it('refuses a config orchestron run would refuse, naming the field, and the memory transport', () => {
    expect(() => readUserConfig(write('bad.yaml', 'topics: [a]\nfailureMode: sometimes\n'), {})).toThrow(/failureMode/);
    expect(() => readUserConfig(write('memory.yaml', 'topics: [a]\ntransport: memory\n'), {})).toThrow(/--config: transport must be kafka/);
    expect(() => readUserConfig(join(dir, 'missing.yaml'), {})).toThrow(/--config: cannot read/);
  });
});
