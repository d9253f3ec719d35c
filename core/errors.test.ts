import { describe, expect, it } from 'vitest';
import {
  BreakerOpenError,
  ConfigError,
  DeserializationError,
  ErrorCodes,
  FailureCategories,
  OrchestronError,
  ProcessingError,
  ProducerFencedError,
  SinkError,
  StoreError,
  TimeoutError,
  ValidationError,
  categoryOf,
  toOrchestronError,
  withoutStacks,
} from './errors.ts';

describe('errors', () => {
  it('gives each class its stable code and retryable flag', () => {
    const cases: [OrchestronError, string, boolean][] = [
      [new DeserializationError('x'), 'DESERIALIZATION_ERROR', false],
      [new ValidationError('x'), 'VALIDATION_ERROR', false],
      [new ProcessingError('x'), 'PROCESSING_ERROR', true],
      [new TimeoutError('x'), 'TIMEOUT_ERROR', true],
      [new BreakerOpenError('db', 10), 'BREAKER_OPEN', true],
      [new ConfigError('failureMode', 'x'), 'CONFIG_ERROR', false],
      [new StoreError('x'), 'STORE_ERROR', true],
      [new SinkError('x'), 'SINK_ERROR', true],
      [new ProducerFencedError('x'), 'PRODUCER_FENCED', false],
    ];
    for (const [error, code, retryable] of cases) {
      expect(error).toBeInstanceOf(OrchestronError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
    }
  });

  it('leaves the call stack out of data errors, which describe a record, and keeps it elsewhere', () => {
    const frames = (error: Error) => (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).length;
    expect(frames(new DeserializationError('bad bytes'))).toBe(0);
    expect(frames(new ValidationError('bad value'))).toBe(0);
    expect(frames(new DeserializationError('bad bytes', { captureStack: true }))).toBeGreaterThan(0);
    expect(frames(new ProcessingError('x'))).toBeGreaterThan(0);
    expect(frames(new ProcessingError('x', { captureStack: false }))).toBe(0);
    expect(frames(new ValidationError('bad value', { captureStack: undefined }))).toBe(0);
    expect(new DeserializationError('bad bytes').message).toBe('bad bytes');
  });

  it('turns stacks off only for the synchronous call given to withoutStacks, even when it throws', () => {
    const frames = (error: Error) => (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).length;
    const inside = withoutStacks(() => new Error('inside'));
    expect(frames(inside)).toBe(0);
    expect(() =>
      withoutStacks(() => {
        throw new Error('thrown');
      }),
    ).toThrow('thrown');
    expect(frames(new Error('after'))).toBeGreaterThan(0);
  });

  it('lists the four failure categories of the seeds', () => {
    expect([...FailureCategories]).toEqual([
      'DESERIALIZATION_ERROR',
      'VALIDATION_ERROR',
      'PROCESSING_ERROR',
      'TIMEOUT_ERROR',
    ]);
  });

  it('lets a processing error be marked permanent', () => {
    expect(new ProcessingError('no such customer', { retryable: false }).retryable).toBe(false);
  });

  it('turns anything thrown into an OrchestronError', () => {
    const plain = toOrchestronError(new Error('boom'));
    expect(plain.code).toBe(ErrorCodes.PROCESSING_ERROR);
    expect(plain.retryable).toBe(true);
    expect(plain.cause).toBeInstanceOf(Error);
    // The thrower's stack is in the cause; the wrapper made here records none of its own.
    expect((plain.stack ?? '').includes('\n    at ')).toBe(false);
    expect(((plain.cause as Error).stack ?? '').includes('\n    at ')).toBe(true);
    expect(toOrchestronError('text').message).toBe('text');
    expect(toOrchestronError({ odd: 1 }).message).toBe('{"odd":1}');
    const timeout = toOrchestronError(new DOMException('signal timed out', 'TimeoutError'));
    expect(timeout.code).toBe('TIMEOUT_ERROR');
    const ours = new ValidationError('bad');
    expect(toOrchestronError(ours)).toBe(ours);
  });

  it('files toolkit errors under PROCESSING_ERROR', () => {
    expect(categoryOf(new StoreError('down'))).toBe('PROCESSING_ERROR');
    expect(categoryOf(new ValidationError('bad'))).toBe('VALIDATION_ERROR');
  });

  it('names the field in config errors', () => {
    const error = new ConfigError('failureMode', 'must be one of atomic, skip-and-log; got "sometimes"');
    expect(error.field).toBe('failureMode');
    expect(error.message).toContain('failureMode');
    expect(error.message).toContain('atomic, skip-and-log');
  });
});
