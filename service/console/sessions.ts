import { randomToken } from './secret-compare.ts';

interface Session {
  readonly user: string;
  readonly expiresAt: number;
}

/** Logins of the login form, in memory: a restart logs everyone out. Ids are 256 random bits. */
export class Sessions {
  readonly #sessions = new Map<string, Session>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  open(user: string): string {
    this.#sweep();
    const id = randomToken();
    this.#sessions.set(id, { user, expiresAt: this.#now() + this.#ttlMs });
    return id;
  }

  /** The user of a live session. */
  user(id: string | undefined): string | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session.user;
  }

  close(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
  }
}
