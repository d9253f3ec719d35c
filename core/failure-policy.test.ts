import { describe, expect, it } from 'vitest';
import { ProcessingError, RecordRefusedError, SinkError, ValidationError } from './errors.ts';
import { pipelineContext } from './context.ts';
import { envelope } from './envelope.ts';

const record = (attempts: number) => envelope({ topic: 'in', partition: 0, offset: 7n, value: null, attempts }, 0);

describe('recordFailure', () => {
  const atomic = pipelineContext({ failureMode: 'atomic', maxDeliveries: 3 }).failurePolicy;
  const skipAndLog = pipelineContext({ failureMode: 'skip-and-log', maxDeliveries: 3 }).failurePolicy;
  const transient = new ProcessingError('the service is busy');
  const invalid = new ValidationError('amount must be positive');

  it('atomic: a retryable failure fails the batch until the record was delivered maxDeliveries times', () => {
    expect(atomic.recordFailure(record(1), transient)).toBe('fail-batch');
    expect(atomic.recordFailure(record(2), transient)).toBe('fail-batch');
    expect(atomic.recordFailure(record(3), transient)).toBe('fail-record');
  });

  it('atomic: a non-retryable failure fails the record alone, so poison cannot block its partition', () => {
    expect(atomic.recordFailure(record(1), invalid)).toBe('fail-record');
  });

  it('skip-and-log: every failure fails the record alone', () => {
    expect(skipAndLog.recordFailure(record(1), transient)).toBe('fail-record');
    expect(skipAndLog.recordFailure(record(1), invalid)).toBe('fail-record');
  });
});

describe('sendFailure', () => {
  const refused = new RecordRefusedError('the broker refused a record (INVALID_RECORD)');
  const down = new SinkError('the output is down', { retryable: true });
  const forbidden = new SinkError('TOPIC_AUTHORIZATION_FAILED', { retryable: false });

  it('a retryable failure fails the batch in both modes: the records are not dead-lettered because the output is down', () => {
    for (const failureMode of ['atomic', 'skip-and-log'] as const) {
      expect(pipelineContext({ failureMode }).failurePolicy.sendFailure([record(1)], down)).toBe('fail-batch');
    }
  });

  it('a non-retryable failure fails the batch in atomic mode (unless narrowed down to one refused record) and the records in skip-and-log', () => {
    const atomic = pipelineContext({ failureMode: 'atomic', maxDeliveries: 3 }).failurePolicy;
    expect(atomic.sendFailure([record(1), record(1)], forbidden)).toBe('fail-batch');
    expect(atomic.sendFailure([record(3)], refused)).toBe('fail-record');
    expect(pipelineContext({ failureMode: 'skip-and-log' }).failurePolicy.sendFailure([record(1), record(1)], forbidden)).toBe('fail-record');
  });
});

describe('isolatedRefusal', () => {
  const atomic = pipelineContext({ failureMode: 'atomic', maxDeliveries: 3 });
  const refused = new RecordRefusedError('the broker refused a record (INVALID_RECORD)');

  it('fails the record instead of the batch once it is alone and delivered maxDeliveries times', () => {
    expect(atomic.failurePolicy.isolatedRefusal([record(3)], refused)).toBe(true);
    expect(atomic.failurePolicy.isolatedRefusal([record(2)], refused)).toBe(false);
    expect(atomic.failurePolicy.isolatedRefusal([record(3), record(3)], refused)).toBe(false);
  });

  it('leaves other failures and skip-and-log mode to the batch', () => {
    expect(atomic.failurePolicy.isolatedRefusal([record(3)], new SinkError('TOPIC_AUTHORIZATION_FAILED', { retryable: false }))).toBe(false);
    expect(pipelineContext({ failureMode: 'skip-and-log', maxDeliveries: 3 }).failurePolicy.isolatedRefusal([record(3)], refused)).toBe(false);
  });
});
