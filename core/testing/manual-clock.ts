import type { Clock, TimerHandle } from '../platform.ts';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A clock driven by hand, for tests of timeouts, backoff and breakers without waiting. `run(promise)` lets pending work
 * settle and jumps to the next timer whenever everything is idle, until the promise settles.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers: Timer[] = [];
  /** Every timer requested, in order, in ms. */
  readonly sleeps: number[] = [];

  constructor(startEpochMs = 1_700_000_000_000) {
    this.#now = startEpochMs;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#now;
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  setTimer(callback: () => void, ms: number): TimerHandle {
    this.sleeps.push(ms);
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, callback };
    this.#timers.push(timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    this.#remove(handle as Timer);
  }

  /** Moves time forward by `ms`, firing due timers in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await macrotask();
      const next = this.#earliest();
      if (!next || next.at > target) break;
      this.#fire(next);
    }
    this.#now = target;
    await macrotask();
  }

  /** Settles `promise`, jumping to the next timer whenever nothing else can move. */
  async run<T>(promise: Promise<T>, maxTimers = 100_000): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    tracked.catch(() => {});
    for (let fired = 0; !settled; fired++) {
      await macrotask();
      if (settled) break;
      const next = this.#earliest();
      if (!next) {
        await macrotask();
        if (!settled && !this.#earliest()) throw new Error('ManualClock.run: the promise waits on something other than the clock');
        continue;
      }
      if (fired >= maxTimers) throw new Error(`ManualClock.run: still not settled after ${maxTimers} timers`);
      this.#fire(next);
    }
    return tracked;
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.#timers) {
      if (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    return best;
  }

  #fire(timer: Timer): void {
    this.#remove(timer);
    this.#now = Math.max(this.#now, timer.at);
    timer.callback();
  }

  #remove(timer: Timer): void {
    const index = this.#timers.indexOf(timer);
    if (index >= 0) this.#timers.splice(index, 1);
  }
}
