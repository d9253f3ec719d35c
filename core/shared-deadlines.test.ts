import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from './errors.ts';
import { SharedDeadlines, attemptsPerWindow, deadlineWindowMs } from './shared-deadlines.ts';
import { ManualClock } from './testing/manual-clock.ts';

const timeout = () => new TimeoutError('too slow');

/** A promise settled by hand, and whether the signal it was given aborted. */
function pending(signal: AbortSignal) {
  let resolve!: (value: string) => void;
  const promise = new Promise<string>((r) => {
    resolve = r;
  });
  return { promise, resolve, signal };
}

describe('SharedDeadlines', () => {
  it('settles an attempt with its own result, and takes the window timer down when the last one settles', async () => {
    const clock = new ManualClock();
    const deadlines = new SharedDeadlines(clock, 1_000, timeout);
    const attempts = [1, 2, 3].map(() => {
      let handle!: ReturnType<typeof pending>;
      const result = deadlines.run((signal) => {
        handle = pending(signal);
        return handle.promise;
      });
      return { handle, result };
    });
    expect(clock.pendingTimers).toBe(1);
    attempts.forEach(({ handle }, i) => handle.resolve(`r${i}`));
    await expect(Promise.all(attempts.map((a) => a.result))).resolves.toEqual(['r0', 'r1', 'r2']);
    expect(clock.pendingTimers).toBe(0);
    expect(attempts.every(({ handle }) => !handle.signal.aborted)).toBe(true);
  });

  it('rejects an attempt that ignores its signal at the deadline, never before it, and aborts the signal', async () => {
    const clock = new ManualClock();
    const deadlines = new SharedDeadlines(clock, 1_000, timeout);
    let signal!: AbortSignal;
    const result = deadlines.run((s) => {
      signal = s;
      return new Promise<never>(() => {});
    });
    let outcome: unknown;
    result.then(
      () => {},
      (error: unknown) => {
        outcome = error;
      },
    );
    await clock.advance(999);
    expect(outcome).toBeUndefined();
    await clock.advance(deadlineWindowMs + 1);
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect(signal.reason).toBe(outcome);
  });

  it('returns a synchronous result as it is, with no timer', () => {
    const clock = new ManualClock();
    const deadlines = new SharedDeadlines(clock, 1_000, timeout);
    expect(deadlines.run(() => 42)).toBe(42);
    expect(clock.pendingTimers).toBe(0);
  });

  it('passes the parent abort to running attempts and to later ones, with one listener', async () => {
    const clock = new ManualClock();
    const parent = new AbortController();
    const deadlines = new SharedDeadlines(clock, 0, timeout, parent.signal);
    const signals: AbortSignal[] = [];
    for (let i = 0; i < attemptsPerWindow * 3; i++) deadlines.run((signal) => signals.push(signal));
    parent.abort(new Error('stopping'));
    deadlines.run((signal) => signals.push(signal));
    expect(signals.every((signal) => signal.aborted && (signal.reason as Error).message === 'stopping')).toBe(true);
    deadlines.close();
  });

  it('shares a signal among at most attemptsPerWindow attempts started in one window', () => {
    const clock = new ManualClock();
    const deadlines = new SharedDeadlines(clock, 1_000, timeout);
    const signals = new Set<AbortSignal>();
    for (let i = 0; i < attemptsPerWindow * 4; i++) deadlines.run((signal) => signals.add(signal));
    expect(signals.size).toBe(4);
  });

  it('fires each attempt at its own deadline, at most one window late, whatever the start times and durations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ startAfter: fc.integer({ min: 0, max: 3 }), duration: fc.integer({ min: 0, max: 30 }) }), { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 20 }),
        async (attempts, timeoutMs) => {
          const clock = new ManualClock(0);
          const deadlines = new SharedDeadlines(clock, timeoutMs, timeout);
          const outcomes: { start: number; duration: number; settledAt?: number; timedOut?: boolean }[] = [];
          const runs: Promise<unknown>[] = [];
          for (const { startAfter, duration } of attempts) {
            if (startAfter > 0) await clock.advance(startAfter);
            const outcome: (typeof outcomes)[number] = { start: clock.monotonic(), duration };
            outcomes.push(outcome);
            const result = deadlines.run(
              () =>
                new Promise<string>((resolve) => {
                  clock.setTimer(() => resolve('done'), duration);
                }),
            );
            runs.push(
              Promise.resolve(result).then(
                () => Object.assign(outcome, { settledAt: clock.monotonic(), timedOut: false }),
                () => Object.assign(outcome, { settledAt: clock.monotonic(), timedOut: true }),
              ),
            );
          }
          await clock.run(Promise.all(runs));
          // Operations that ignored their signal end later; then nothing is left on the clock.
          await clock.advance(100);
          expect(clock.pendingTimers).toBe(0);
          for (const { start, duration, settledAt, timedOut } of outcomes) {
            if (duration < timeoutMs) expect(timedOut).toBe(false);
            if (duration > timeoutMs + deadlineWindowMs) expect(timedOut).toBe(true);
            if (timedOut) {
              expect(settledAt).toBeGreaterThanOrEqual(start + timeoutMs);
              expect(settledAt).toBeLessThanOrEqual(start + timeoutMs + deadlineWindowMs);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
