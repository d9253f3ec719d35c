import type { Logger } from './logger.ts';
import { silentLogger } from './logger.ts';
import type { Metrics } from './metrics/metrics.ts';
import { createMetrics } from './metrics/metrics.ts';
import type { Tracer } from './tracing/tracer.ts';
import { noopTracer } from './tracing/tracer.ts';

/** Environment variables as a runtime hands them in (the process environment, as an object of strings); core never reads them itself. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A pending timer, as returned by `Clock.setTimer`. */
export type TimerHandle = unknown;

/** Time as the pipeline sees it; injected so tests can drive it by hand. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds, for durations. */
  monotonic(): number;
  setTimer(callback: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Resolves after `ms` on `clock`, or rejects with the signal's reason when it aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clock.clearTimer(timer);
      reject(signal?.reason);
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Platform I/O passed into the core: clock, randomness, logs, metrics, traces. */
export interface Platform {
  readonly clock: Clock;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Spans per batch and stage; the default is off (see core/tracing). */
  readonly tracer: Tracer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const defaultPlatform: Platform = {
  clock: systemClock,
  random: Math.random,
  logger: silentLogger,
  metrics: createMetrics(),
  tracer: noopTracer,
};

/** Fills what the caller left out with the defaults. */
export const platformOf = (partial: Partial<Platform> = {}): Platform => ({ ...defaultPlatform, ...partial });
