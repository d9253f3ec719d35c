import { describe, expect, it } from 'vitest';
import { brokers, unique } from '../adapters/kafka/testing.ts';
import { runCli, writeConfig } from './testing/spawn-cli.ts';

/** `orchestron run` against the shared broker, set up wrong the way a new user might; each must fail fast and say why. */
describe('orchestron run with a Kafka setup that cannot work', () => {
  it('a source topic that does not exist: exit 1, SOURCE_ERROR, naming the topic', async () => {
    const topic = unique('missing-source');
    const file = await writeConfig({ topics: [topic], failureMode: 'skip-and-log', kafka: { brokers, groupId: unique('missing') }, http: { enabled: false } });
    const { code, output } = await runCli('node', ['run', '--config', file]);
    expect(code, output).toBe(1);
    expect(output).toContain('SOURCE_ERROR');
    expect(output).toContain(`a source topic does not exist`);
    expect(output).toContain(topic);
    expect(output).not.toContain('SINK_ERROR');
  });

  it('SASL set against a plaintext listener: exit 2 on kafka.sasl, saying the listener does not use SASL', async () => {
    const file = await writeConfig({
      topics: [unique('sasl-plain')],
      kafka: { brokers, groupId: unique('sasl-plain'), sasl: { mechanism: 'PLAIN', username: 'user', password: 'not-a-secret-here' } },
      http: { enabled: false },
    });
    const { code, output } = await runCli('node', ['run', '--config', file]);
    expect(code, output).toBe(2);
    expect(output).toContain("kafka.sasl: log in to");
    expect(output).toContain("the broker's listener does not use SASL");
    expect(output).not.toContain('refused the SASL credentials');
  });
});
