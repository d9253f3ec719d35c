import { pipelineContext } from '../context.ts';
import { sourceContract } from '../testing/source-contract.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { MemoryBroker } from './broker.ts';
import { memorySource } from './source.ts';

sourceContract('memory', async ({ failureMode, batchSize }) => {
  const clock = new ManualClock();
  const context = pipelineContext({ failureMode, platform: { clock }, consumerGroup: 'contract' });
  const broker = new MemoryBroker({ now: () => clock.now() });
  broker.createTopic('in', 1);
  let appended = 0;
  return {
    clock,
    append: async (count) => {
      broker.append(Array.from({ length: count }, () => ({ topic: 'in', key: null, value: new TextEncoder().encode(String(appended++)) })));
    },
    read: (signal) => memorySource(broker, { topics: ['in'], group: 'contract', context, batchSize, signal }),
    elapse: (ms) => clock.advance(ms),
    close: async () => {},
  };
});
