import { describe, expect, it } from 'vitest';
import type { BreakerState } from './breaker.ts';
import { CircuitBreaker } from './breaker.ts';
import { BreakerOpenError, StoreError } from './errors.ts';
import { ManualClock } from './testing/manual-clock.ts';

const failing = async (): Promise<never> => {
  throw new StoreError('connection refused');
};

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, half-opens after T ms, closes on a good trial', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: 'db', failureThreshold: 3, openMs: 1_000, callTimeoutMs: 0 }, clock);
    const states: BreakerState[] = [];
    breaker.onStateChange((state) => states.push(state));

    for (let i = 0; i < 3; i++) await expect(breaker.call(failing)).rejects.toThrow('connection refused');
    expect(breaker.state).toBe('open');

    let called = false;
    const refused = breaker.call(async () => {
      called = true;
    });
    await expect(refused).rejects.toBeInstanceOf(BreakerOpenError);
    expect(called).toBe(false);
    expect(breaker.retryAfterMs()).toBe(1_000);

    await clock.advance(1_000);
    expect(breaker.state).toBe('half-open');
    await expect(breaker.call(async () => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('does not reopen for calls that were already waiting when it opened and fail after a trial closed it', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: 'db', failureThreshold: 2, openMs: 1_000, callTimeoutMs: 0 }, clock);
    // Four calls wait on a dependency that hangs; two fail and open the breaker, the other two fail later.
    const hanging = [0, 1, 2, 3].map(() => {
      let fail!: () => void;
      const call = breaker.call(() => new Promise<never>((_, reject) => (fail = () => reject(new StoreError('connection reset')))));
      call.catch(() => {});
      return { call, fail: () => fail() };
    });
    hanging[0]?.fail();
    hanging[1]?.fail();
    await Promise.allSettled([hanging[0]?.call, hanging[1]?.call]);
    expect(breaker.state).toBe('open');
    await clock.advance(1_000);
    await expect(breaker.call(async () => 'back')).resolves.toBe('back');
    expect(breaker.state).toBe('closed');
    hanging[2]?.fail();
    hanging[3]?.fail();
    await Promise.allSettled(hanging.map((h) => h.call));
    expect(breaker.state).toBe('closed');
    // A failure of a call that began after the opening still counts.
    await expect(breaker.call(failing)).rejects.toThrow();
    await expect(breaker.call(failing)).rejects.toThrow();
    expect(breaker.state).toBe('open');
  });

  it('reopens when the trial call fails, and lets one trial through at a time', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: 'db', failureThreshold: 1, openMs: 500, callTimeoutMs: 0 }, clock);
    await expect(breaker.call(failing)).rejects.toThrow();
    await clock.advance(500);
    let release!: () => void;
    const trial = breaker.call(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(breaker.call(async () => 1)).rejects.toBeInstanceOf(BreakerOpenError);
    release();
    await trial;
    expect(breaker.state).toBe('closed');

    await expect(breaker.call(failing)).rejects.toThrow();
    await clock.advance(500);
    await expect(breaker.call(failing)).rejects.toThrow();
    expect(breaker.state).toBe('open');
    expect(breaker.retryAfterMs()).toBe(500);
  });

  it('counts a call past its deadline as a failure and aborts its signal', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: 'redis', failureThreshold: 2, openMs: 1_000, callTimeoutMs: 50 }, clock);
    let aborted = 0;
    const hang = (signal: AbortSignal) =>
      new Promise<never>(() => signal.addEventListener('abort', () => aborted++, { once: true }));
    await expect(clock.run(breaker.call(hang))).rejects.toMatchObject({ code: 'TIMEOUT_ERROR' });
    await expect(clock.run(breaker.call(hang))).rejects.toMatchObject({ code: 'TIMEOUT_ERROR' });
    expect(aborted).toBe(2);
    expect(breaker.state).toBe('open');
  });

  it('resets the failure count on success', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({ name: 'db', failureThreshold: 2, openMs: 1_000, callTimeoutMs: 0 }, clock);
    await expect(breaker.call(failing)).rejects.toThrow();
    await breaker.call(async () => undefined);
    await expect(breaker.call(failing)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
    expect(breaker.consecutiveFailures).toBe(1);
  });

  describe('with a probe', () => {
    it('closes by itself after an outage with no traffic, probing once per open spell', async () => {
      const clock = new ManualClock();
      let healthy = false;
      let probes = 0;
      const breaker = new CircuitBreaker(
        {
          name: 'db',
          failureThreshold: 2,
          openMs: 1_000,
          callTimeoutMs: 0,
          probe: async () => {
            probes++;
            if (!healthy) throw new StoreError('still down');
          },
        },
        clock,
      );
      const states: BreakerState[] = [];
      breaker.onStateChange((state) => states.push(state));
      for (let i = 0; i < 2; i++) await expect(breaker.call(failing)).rejects.toThrow();
      expect(breaker.state).toBe('open');

      await clock.advance(999);
      expect(probes).toBe(0);
      await clock.advance(1);
      expect(probes).toBe(1);
      expect(breaker.state).toBe('open');
      expect(breaker.retryAfterMs()).toBe(1_000);

      healthy = true;
      await clock.advance(1_000);
      expect(probes).toBe(2);
      expect(breaker.state).toBe('closed');
      expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);

      await clock.advance(10_000);
      expect(probes).toBe(2);
    });

    it('holds real calls back while its probe is the trial, and stops probing once disposed', async () => {
      const clock = new ManualClock();
      let probes = 0;
      let answer: (() => void) | undefined;
      const breaker = new CircuitBreaker(
        {
          name: 'db',
          failureThreshold: 1,
          openMs: 500,
          callTimeoutMs: 0,
          probe: () => {
            probes++;
            return new Promise<void>((resolve) => (answer = resolve));
          },
        },
        clock,
      );
      await expect(breaker.call(failing)).rejects.toThrow();
      await clock.advance(500);
      expect(probes).toBe(1);
      expect(breaker.state).toBe('half-open');
      await expect(breaker.call(async () => 'real')).rejects.toBeInstanceOf(BreakerOpenError);
      answer?.();
      await clock.advance(0);
      expect(breaker.state).toBe('closed');

      await expect(breaker.call(failing)).rejects.toThrow();
      breaker.dispose();
      await clock.advance(5_000);
      expect(probes).toBe(1);
      expect(breaker.state).toBe('half-open');
    });
  });
});
