import { pipelineContext } from '../../core/index.ts';
import { sourceContract } from '../../core/testing/source-contract.ts';
import { brokers, freshTopics, produceRecords, unique } from './testing.ts';
import { KafkaTransport } from './transport.ts';

sourceContract('kafka', async ({ failureMode, batchSize }) => {
  const topics = await freshTopics('source-contract', 1, ['in']);
  const topic = topics.in as string;
  const context = pipelineContext({ failureMode, consumerGroup: unique('source-contract') });
  const transport = new KafkaTransport({
    brokers,
    groupId: context.consumerGroup,
    topics: [topic],
    instanceId: unique('sc'),
    batchSize,
    commitIntervalMs: 20,
    context,
  });
  let appended = 0;
  return {
    clock: context.platform.clock,
    append: (count) => produceRecords(topic, Array.from({ length: count }, () => ({ key: 'k', value: { id: appended++ } }))),
    read: (signal) => transport.source(signal),
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close: () => transport.close(),
  };
});
