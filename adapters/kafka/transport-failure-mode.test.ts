import { describe, expect, it } from 'vitest';
import { ConfigError, pipelineContext } from '../../core/index.ts';
import { KafkaTransport } from './transport.ts';

// Constructing a transport connects to nothing; a broker address that is never dialled is enough.
const base = { brokers: '127.0.0.1:1', groupId: 'failure-mode-test', topics: ['in'] } as const;

describe('KafkaTransport and the pipeline context', () => {
  it('takes its failure mode from the context, so the two cannot disagree', async () => {
    for (const failureMode of ['atomic', 'skip-and-log'] as const) {
      const transport = new KafkaTransport({ ...base, context: pipelineContext({ failureMode }) });
      expect(transport.options.failureMode).toBe(failureMode);
      await transport.close(0);
    }
  });

  it('refuses a failure mode of its own that disagrees with the context, naming both', () => {
    const build = () => new KafkaTransport({ ...base, failureMode: 'atomic', context: pipelineContext({ failureMode: 'skip-and-log' }) });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/failureMode: the transport was given "atomic" but the pipeline context says "skip-and-log"/);
  });
});
