import { setImmediate } from 'node:timers';

interface Waiting<M> {
  readonly messages: readonly M[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends made in one turn of the event loop go out together instead of as separate calls, each paying the client's
 * fixed cost per send: a pipeline's outputs and the previous batch's dead letters (sent without waiting, at-least-once).
 * `split` cuts what goes out together into calls of `send` made one after another, in order (produce requests within
 * the topics' size limits; one call by default). When a shared call fails, each caller's records are sent again alone,
 * so each caller gets the outcome of its own records.
 */
export class CoalescedSends<M> {
  readonly #send: (messages: M[]) => Promise<unknown>;
  readonly #split: (messages: M[]) => M[][];
  #waiting: Waiting<M>[] = [];

  constructor(send: (messages: M[]) => Promise<unknown>, split: (messages: M[]) => M[][] = (messages) => [messages]) {
    this.#send = send;
    this.#split = split;
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
    if (waiting.length === 1) {
      this.#deliver(waiting[0] as Waiting<M>);
      return;
    }
    this.#call(waiting.flatMap((w) => w.messages)).then(
      () => {
        for (const w of waiting) w.resolve();
      },
      // One caller's records (a dead letter too large for its topic, say) must not fail another's: each is sent again
      // on its own and gets its own outcome. At-least-once, a partition written before the failure can get a record twice.
      () => {
        for (const w of waiting) this.#deliver(w);
      },
    );
  }

  #deliver(waiting: Waiting<M>): void {
    this.#call([...waiting.messages]).then(waiting.resolve, waiting.reject);
  }

  async #call(messages: M[]): Promise<void> {
    for (const request of this.#split(messages)) await this.#send(request);
  }
}
