import { mongodbStore } from '../mongodb/store.ts';
import { postgresStore } from '../postgres/store.ts';
import { redisStore } from '../redis/store.ts';
import { memoryStore } from './memory-store.ts';
import type { StoreEntry } from './store-entry.ts';

/** Every store the service can use, one entry each; config, commands and the chaos worker loop over this list. */
export const storeRegistry = [memoryStore, postgresStore, redisStore, mongodbStore] as const;

export type StoreName = (typeof storeRegistry)[number]['name'];

/** The stores' names, in the registry's order (the config's `store` choices). */
export const StoreNames = storeRegistry.map((entry) => entry.name) as unknown as NamesOf<typeof storeRegistry>;

type NamesOf<R extends readonly StoreEntry[]> = { readonly [K in keyof R]: R[K] extends { readonly name: infer N } ? N : never };

/** The entry of a store by name (a name the config schema has already checked). */
export function storeEntry(name: StoreName): StoreEntry {
  return storeRegistry.find((entry) => entry.name === name) as StoreEntry;
}
