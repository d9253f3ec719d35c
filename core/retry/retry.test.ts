import { describe, expect, it } from 'vitest';
import { ProcessingError, ValidationError } from '../errors.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { retryOptions } from './backoff.ts';
import { withRetry } from './retry.ts';

describe('withRetry', () => {
  it('waits the backoff schedule between attempts (fake time)', async () => {
    const clock = new ManualClock();
    const started = clock.now();
    const attempts: number[] = [];
    const outcome = await clock.run(
      withRetry(
        async (n) => {
          attempts.push(clock.now() - started);
          throw new ProcessingError(`attempt ${n}`);
        },
        retryOptions({ attempts: 5, jitter: 'none' }),
        { clock, random: () => 0 },
      ),
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts).toBe(5);
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(attempts).toEqual([0, 1_000, 3_000, 7_000, 15_000]);
    expect(outcome.firstFailureAt).toBe(started);
    expect(outcome.lastFailureAt).toBe(started + 15_000);
  });

  it('applies full jitter with the injected random source', async () => {
    const clock = new ManualClock();
    await clock.run(
      withRetry(
        async () => {
          throw new ProcessingError('x');
        },
        retryOptions({ attempts: 4 }),
        { clock, random: () => 0.5 },
      ),
    );
    expect(clock.sleeps).toEqual([500, 1_000, 2_000]);
  });

  it('does not retry a non-retryable error', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const outcome = await clock.run(
      withRetry(
        async () => {
          calls++;
          throw new ValidationError('bad');
        },
        retryOptions(),
        { clock, random: () => 0.5 },
      ),
    );
    expect(calls).toBe(1);
    expect(outcome.error?.code).toBe('VALIDATION_ERROR');
  });

  it('returns the value once an attempt succeeds', async () => {
    const clock = new ManualClock();
    const outcome = await clock.run(
      withRetry(
        async (n) => {
          if (n < 3) throw new Error('flaky');
          return 'done';
        },
        retryOptions(),
        { clock, random: () => 0.5 },
      ),
    );
    expect(outcome).toMatchObject({ ok: true, value: 'done', attempts: 3 });
  });
});
