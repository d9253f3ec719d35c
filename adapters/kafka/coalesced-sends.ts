import { setImmediate } from 'node:timers';

interface Waiting<M> {
  readonly messages: readonly M[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends made in one turn of the event loop go out as one call of `send` (one produce request): a pipeline's outputs
 * and the previous batch's dead letters (sent without waiting, at-least-once) travel together instead of as two
 * requests, each paying the client's fixed cost per send. Every caller gets the request's outcome; order is kept.
 */
export class CoalescedSends<M> {
  readonly #send: (messages: M[]) => Promise<unknown>;
  #waiting: Waiting<M>[] = [];

  constructor(send: (messages: M[]) => Promise<unknown>) {
    this.#send = send;
  }

  send(messages: readonly M[]): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => this.#flush());
      this.#waiting.push({ messages, resolve, reject });
    });
  }

  #flush(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    const messages = waiting.flatMap((w) => w.messages);
    Promise.resolve()
      .then(() => this.#send(messages))
      .then(
        () => {
          for (const w of waiting) w.resolve();
        },
        (error: unknown) => {
          for (const w of waiting) w.reject(error);
        },
      );
  }
}
