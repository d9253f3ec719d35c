import type { DeadLetterEntry } from './dead-letter-entry.ts';
import { entryId } from './dead-letter-entry.ts';

/** The newest `maxRecords` dead letters, by their position in the dead-letter topic; older ones are let go. */
export class DeadLetterIndex {
  readonly #entries = new Map<string, DeadLetterEntry>();
  readonly #max: number;
  #evicted = 0;
  #updatedAt: number | undefined;

  constructor(maxRecords: number) {
    this.#max = maxRecords;
  }

  add(entry: DeadLetterEntry, now = Date.now()): void {
    const id = entryId(entry);
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    this.#updatedAt = now;
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
      this.#evicted++;
    }
  }

  get(id: string): DeadLetterEntry | undefined {
    return this.#entries.get(id);
  }

  /** Newest first. */
  all(): DeadLetterEntry[] {
    return [...this.#entries.values()].reverse();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Dead letters read but no longer kept. */
  get evicted(): number {
    return this.#evicted;
  }

  /** When the last one arrived (epoch ms). */
  get updatedAt(): number | undefined {
    return this.#updatedAt;
  }
}
