import { BreakerOpenError, TimeoutError, toOrchestronError } from './errors.ts';
import type { Clock, TimerHandle } from './platform.ts';
import { withDeadline } from './deadline.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Shown in errors, logs and the `breaker` metric label. */
  readonly name: string;
  /** Consecutive failures or timeouts that open the breaker (the seeds' dbCircuitFailureThreshold). */
  readonly failureThreshold: number;
  /** How long it stays open before letting one trial call through (dbCircuitOpenMs). */
  readonly openMs: number;
  /** Each call's deadline; a call past it counts as a failure. 0 disables. */
  readonly callTimeoutMs: number;
  /**
   * Checks the guarded dependency without any traffic (a store's ping). When given, an open breaker makes its trial
   * call itself once `openMs` has passed, and again after each failed trial, so it closes after an outage even when
   * nothing else calls it; without it the breaker waits half-open for the next real call.
   */
  readonly probe?: (signal: AbortSignal) => Promise<unknown>;
}

export const defaultBreakerOptions: Omit<BreakerOptions, 'name'> = {
  failureThreshold: 5,
  openMs: 10_000,
  callTimeoutMs: 5_000,
};

export type BreakerListener = (state: BreakerState, breaker: CircuitBreaker) => void;

/** Guards calls to a store: N consecutive failures open it for T ms, then one trial call (or the probe) decides. */
export class CircuitBreaker {
  readonly options: BreakerOptions;
  readonly #clock: Clock;
  readonly #listeners = new Set<BreakerListener>();
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  /** Counts the times the breaker opened: a call that began before the last opening cannot open it again. */
  #openings = 0;
  #trialInFlight = false;
  #probeTimer: TimerHandle | undefined;
  #disposed = false;

  constructor(options: Partial<BreakerOptions> & Pick<BreakerOptions, 'name'>, clock: Clock) {
    this.options = { ...defaultBreakerOptions, ...options };
    this.#clock = clock;
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.retryAfterMs() === 0) return 'half-open';
    return this.#state;
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }

  /** Milliseconds until an open breaker lets a trial call through; 0 when it would now. */
  retryAfterMs(): number {
    if (this.#state !== 'open') return 0;
    // Whole milliseconds, rounded up: the monotonic clock has fractions, and messages and readiness show this.
    return Math.max(0, Math.ceil(this.#openedAt + this.options.openMs - this.#clock.monotonic()));
  }

  onStateChange(listener: BreakerListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs `operation` through the breaker; throws BreakerOpenError without calling it while open. */
  async call<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.#admit();
    const isTrial = this.#state === 'half-open';
    const openings = this.#openings;
    try {
      const { name, callTimeoutMs } = this.options;
      const value = await withDeadline(
        this.#clock,
        callTimeoutMs,
        operation,
        () => new TimeoutError(`${name}: call timed out after ${callTimeoutMs} ms`),
      );
      this.#succeeded();
      return value;
    } catch (error) {
      // Calls that were already waiting when the breaker opened (a dependency that hangs until their deadline) fail
      // late, maybe after a trial closed it again: the opening already counted the outage they saw.
      if (openings === this.#openings) this.#failed();
      throw toOrchestronError(error);
    } finally {
      if (isTrial) this.#trialInFlight = false;
    }
  }

  #admit(): void {
    if (this.#state === 'closed') return;
    const wait = this.retryAfterMs();
    if (wait > 0 || this.#trialInFlight) throw new BreakerOpenError(this.options.name, Math.max(wait, 1));
    this.#trialInFlight = true;
    this.#transition('half-open');
  }

  #succeeded(): void {
    this.#failures = 0;
    if (this.#state !== 'closed') this.#transition('closed');
  }

  #failed(): void {
    this.#failures++;
    if (this.#state === 'half-open' || this.#failures >= this.options.failureThreshold) {
      this.#openedAt = this.#clock.monotonic();
      this.#transition('open');
    }
  }

  #transition(state: BreakerState): void {
    const changed = this.#state !== state;
    this.#state = state;
    if (state === 'open') {
      this.#openings++;
      this.#failures = Math.max(this.#failures, this.options.failureThreshold);
      this.#scheduleProbe();
    } else if (state === 'closed') {
      this.#cancelProbe();
    }
    if (changed) for (const listener of this.#listeners) listener(state, this);
  }

  /** Stops probing (the store is being closed); calls still go through the breaker as before. */
  dispose(): void {
    this.#disposed = true;
    this.#cancelProbe();
  }

  #scheduleProbe(): void {
    const probe = this.options.probe;
    if (!probe || this.#disposed) return;
    this.#cancelProbe();
    this.#probeTimer = this.#clock.setTimer(() => {
      this.#probeTimer = undefined;
      this.call(probe).catch(() => {
        // A failed trial reopened the breaker and scheduled the next probe; a real trial in flight decides instead.
        if (this.#state === 'open' && this.#probeTimer === undefined && !this.#trialInFlight) this.#scheduleProbe();
      });
    }, Math.max(1, this.retryAfterMs()));
  }

  #cancelProbe(): void {
    if (this.#probeTimer === undefined) return;
    this.#clock.clearTimer(this.#probeTimer);
    this.#probeTimer = undefined;
  }
}
