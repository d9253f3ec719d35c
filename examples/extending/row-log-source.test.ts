import { ManualClock, pipelineContext } from '../../core/index.ts';
import { sourceContract } from '../../core/testing/source-contract.ts';
import type { Checkpoints } from './row-log-source.ts';
import { RowLog, rowLogSource } from './row-log-source.ts';

sourceContract('example row log', async ({ failureMode, batchSize }) => {
  const clock = new ManualClock();
  const context = pipelineContext({ failureMode, platform: { clock }, consumerGroup: 'example' });
  const log = new RowLog();
  let saved = 0n;
  const checkpoints: Checkpoints = {
    load: async () => saved,
    save: async (next) => {
      saved = next;
    },
  };
  let appended = 0;
  return {
    clock,
    append: async (count) => log.append(Array.from({ length: count }, () => new TextEncoder().encode(String(appended++)))),
    read: (signal) => rowLogSource(log, checkpoints, { name: 'rows', context, batchSize, signal }),
    elapse: (ms) => clock.advance(ms),
    close: async () => {},
  };
});
