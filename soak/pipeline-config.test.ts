import { describe, expect, it } from 'vitest';
import { validateConfig } from '../service/config/load.ts';
import { pipelineConfig } from './pipeline-config.ts';

const input = {
  brokers: ['a:1', 'b:2'],
  input: 'in',
  output: 'out',
  groupId: 'g',
  instanceId: 'g-0',
  batchSize: 500,
  lingerMs: 0,
  commitIntervalMs: 250,
  logLevel: 'warn',
};

describe('the config of the process under test', () => {
  it('carries the batch size, the linger and the commit interval as the kafka settings', () => {
    expect(pipelineConfig({ ...input, mode: 'alo' })).toMatchObject({
      failureMode: 'skip-and-log',
      kafka: { brokers: 'a:1,b:2', groupId: 'g', instanceId: 'g-0', batchSize: 500, lingerMs: 0, commitIntervalMs: 250 },
    });
    expect(pipelineConfig({ ...input, mode: 'eos' }).failureMode).toBe('atomic');
  });

  it('is a config `orchestron run` accepts, with the same kafka settings', () => {
    const config = validateConfig(JSON.parse(JSON.stringify(pipelineConfig({ ...input, mode: 'eos' }))));
    expect(config.kafka).toMatchObject({ batchSize: 500, lingerMs: 0, commitIntervalMs: 250 });
  });
});
