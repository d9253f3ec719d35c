import type { RegistrySchema, SchemaRegistryClient } from './registry.ts';
import { notRegistered } from './registry.ts';

/**
 * A schema registry in one process, for tests and local runs: ids are handed out from 1 and, as in Confluent's
 * registry, one schema text keeps one id across subjects.
 */
export class MemorySchemaRegistry implements SchemaRegistryClient {
  readonly #byId = new Map<number, RegistrySchema>();
  readonly #ids = new Map<string, number>();
  readonly #subjects = new Map<string, Set<number>>();

  async schemaById(id: number): Promise<RegistrySchema | undefined> {
    return this.#byId.get(id);
  }

  async idOf(subject: string, schema: RegistrySchema, register: boolean): Promise<number> {
    const key = `${schema.schemaType}\u0000${schema.schema}`;
    const known = this.#ids.get(key);
    const versions = this.#subjects.get(subject);
    if (known !== undefined && versions?.has(known)) return known;
    if (!register) throw notRegistered(subject);
    const id = known ?? this.#byId.size + 1;
    this.#byId.set(id, schema);
    this.#ids.set(key, id);
    this.#subjects.set(subject, (versions ?? new Set()).add(id));
    return id;
  }

  /** The subjects registered so far. */
  subjects(): string[] {
    return [...this.#subjects.keys()];
  }
}
