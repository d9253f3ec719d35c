// SIGTERM at any moment of `orchestron run`'s start-up (modules loading, config, store and Kafka connections, group
// join) ends in a drain or a clean stop: exit 0, `draining` then `stopped`, never the default signal action.
import { describe, expect, it } from 'vitest';
import { freshTopics, produceRecords, unique } from '../adapters/kafka/testing.ts';
import { spawnCli, writeConfig } from './testing/spawn-cli.ts';

// Node runs no JavaScript for its first ~100 ms (its own start-up, longer on a busy machine): a signal then ends it by
// the default action, as for any Node program. One process at a time, so that the first delays fall past that.
const delaysMs = [300, 600, 1_500, 3_000];

describe('SIGTERM during start-up', () => {
  it.each(delaysMs)('%i ms after spawn: exit 0 with the drain lines', async (delayMs) => {
    const topics = await freshTopics('early-signal', 2);
    await produceRecords(topics.in!, Array.from({ length: 50 }, (_, id) => ({ key: `k${id}`, value: { id } })));
    const file = await writeConfig({
      transport: 'kafka',
      topics: [topics.in],
      outputTopic: topics.out,
      failureMode: 'atomic',
      kafka: { groupId: unique('early-signal'), instanceId: unique('early') },
      http: { port: 0, host: '127.0.0.1' },
    });
    const cli = spawnCli('node', ['run', '--config', file]);
    try {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      cli.signal('SIGTERM');
      const code = await cli.exited;
      expect({ code, signal: cli.child.signalCode, output: code === 0 ? '' : cli.output() }).toEqual({ code: 0, signal: null, output: '' });
      const messages = cli.lines.map((line) => line.msg);
      expect(messages).toContain('draining');
      expect(messages.at(-1)).toBe('stopped');
      expect(cli.lines.find((line) => line.msg === 'stopped')).toMatchObject({ forced: false });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
