import type { OrchestronError } from './errors.ts';
import type { Clock, TimerHandle } from './platform.ts';

/** Attempts started within this many milliseconds share one signal and one timer. */
export const deadlineWindowMs = 1;
/**
 * At most this many attempts share a signal: user code that adds an abort listener per attempt (fetch does, and
 * removes it) stays under Node's warning threshold of ten listeners per signal even at two each.
 */
export const attemptsPerWindow = 5;

/** The attempts started in one window: they end at the same deadline, so one controller and one timer serve them. */
interface Window {
  readonly controller: AbortController;
  readonly closesAt: number;
  readonly rejects: ((error: unknown) => void)[];
  started: number;
  live: number;
  timer: TimerHandle | undefined;
}

/**
 * Per-attempt deadlines for many concurrent attempts of one timeout (a transform stage's records): the same contract
 * as `withDeadline` — each attempt's signal aborts at its deadline (with `timeoutError()`) or when `parent` aborts, and
 * its result settles at the deadline even if the operation ignores the signal — at a fraction of the cost. Up to
 * `attemptsPerWindow` attempts started within `deadlineWindowMs` of each other share a controller and a timer set to
 * the window's end plus the timeout, so a deadline is never early and at most a window late; `parent` gets one
 * listener in all. Meant for one batch: every window stays reachable from the parent's listener until `close`, which
 * is called when no more attempts will start.
 */
export class SharedDeadlines {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #timeoutError: () => OrchestronError;
  readonly #parent: AbortSignal | undefined;
  readonly #windowMs: number;
  /** Windows the parent's abort must reach: all but the expired ones, whose signals have aborted already. */
  readonly #open = new Set<Window>();
  #current: Window | undefined;
  readonly #onParentAbort = () => {
    for (const window of this.#open) window.controller.abort(this.#parent?.reason);
  };

  /** `windowMs` 0 gives every attempt its own signal and timer, at its exact deadline. */
  constructor(clock: Clock, timeoutMs: number, timeoutError: () => OrchestronError, parent?: AbortSignal, windowMs = deadlineWindowMs) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#timeoutError = timeoutError;
    this.#parent = parent;
    this.#windowMs = windowMs;
    parent?.addEventListener('abort', this.#onParentAbort, { once: true });
  }

  /** Calls `operation` with its attempt's signal; a synchronous result returns at once and holds no timer. */
  run<T>(operation: (signal: AbortSignal) => T | Promise<T>): T | Promise<T> {
    const window = this.#window();
    const result = operation(window.controller.signal);
    // Without a timeout there is nothing to settle early: the parent's abort reaches the signal through the listener.
    if (!(result instanceof Promise) || this.#timeoutMs <= 0) return result;
    return new Promise<T>((resolve, reject) => {
      window.live += 1;
      if (window.live === 1) window.timer = this.#clock.setTimer(() => this.#expire(window), window.closesAt - this.#clock.monotonic() + this.#timeoutMs);
      let settled = false;
      window.rejects.push((error) => {
        if (!settled) reject(error);
        settled = true;
      });
      result.then(
        (value) => {
          if (settled) return;
          settled = true;
          this.#release(window);
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          this.#release(window);
          reject(error);
        },
      );
    });
  }

  /** Stops listening to the parent signal; attempts still running keep their deadlines. */
  close(): void {
    this.#parent?.removeEventListener('abort', this.#onParentAbort);
    this.#current = undefined;
    this.#open.clear();
  }

  #window(): Window {
    const now = this.#clock.monotonic();
    const current = this.#current;
    if (current !== undefined && now < current.closesAt && current.started < attemptsPerWindow && !current.controller.signal.aborted) {
      current.started += 1;
      return current;
    }
    const window: Window = { controller: new AbortController(), closesAt: now + this.#windowMs, rejects: [], started: 1, live: 0, timer: undefined };
    if (this.#parent?.aborted) window.controller.abort(this.#parent.reason);
    this.#current = window;
    this.#open.add(window);
    return window;
  }

  /** One attempt of `window` settled; the last one takes its timer down, so a finished window holds nothing. */
  #release(window: Window): void {
    window.live -= 1;
    if (window.live > 0) return;
    if (window.timer !== undefined) this.#clock.clearTimer(window.timer);
    window.timer = undefined;
    window.rejects.length = 0;
  }

  #expire(window: Window): void {
    window.timer = undefined;
    this.#open.delete(window);
    if (this.#current === window) this.#current = undefined;
    const error = this.#timeoutError();
    window.controller.abort(error);
    for (const reject of window.rejects) reject(error);
    window.rejects.length = 0;
    window.live = 0;
  }
}
