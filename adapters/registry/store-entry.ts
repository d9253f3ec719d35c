import type * as v from 'valibot';
import type { Clock, DedupStore, FailureTracker, Logger } from '../../core/index.ts';

/** The two things a store keeps: tracker rows and dedup keys; `migrate --target` names one of them. */
export const StoreRoles = ['tracker', 'dedup'] as const;
export type StoreRole = (typeof StoreRoles)[number];

/** What a store is given besides its settings. */
export interface StorePlatform {
  readonly logger: Logger;
  readonly clock: Clock;
}

/** Where a networked store connects: the config key `<name>.url`, the variable that sets it, and the adapter's default. */
export interface StoreUrlSpec {
  /** Accepted URL schemes, the first one named in the docs (`postgres`, `postgresql`). */
  readonly schemes: readonly [string, ...string[]];
  readonly variable: string;
  /** Used when neither the config nor the environment sets the URL. */
  readonly fallback: string;
}

/** A store's config section as validated: its `url` and its own keys. */
export type StoreSettings<E extends v.ObjectEntries> = { readonly url?: string } & v.InferOutput<v.StrictObjectSchema<E, undefined>>;

/** A tracker that fails fast, for drills that cut the store: every connect and call deadline `timeoutMs`. */
export interface FailFastTarget {
  readonly url: string;
  /** Where the rows go: a table, a key prefix or a collection, as the store has it. */
  readonly name: string;
  readonly timeoutMs: number;
}

/**
 * One store of the service (`store: <name>` in the config): everything the service, its commands and the chaos worker
 * ask of it. The entry lives in the store's folder (`adapters/<name>/store.ts`) and loads the store's client library
 * only when opened; adapters/registry/stores.ts lists the entries.
 */
export interface StoreEntry<Name extends string = string, E extends v.ObjectEntries = v.ObjectEntries> {
  readonly name: Name;
  /** Absent for a store that runs in the process. */
  readonly url?: StoreUrlSpec;
  /** The keys of the `<name>` config section besides `url`, and what the section is; absent for a store without one. */
  readonly settings?: { readonly entries: E; readonly about: string };
  openTracker(settings: StoreSettings<E>, platform: StorePlatform): Promise<FailureTracker>;
  openDedup(settings: StoreSettings<E>, platform: StorePlatform): Promise<DedupStore>;
  /** Brings the schema of `targets` up to date, telling each step to `say`; absent for a store that keeps no schema. */
  migrate?(settings: StoreSettings<E>, targets: readonly StoreRole[], say: (line: object) => void): Promise<void>;
  /** Absent for a store that runs in the process: there is nothing to cut. */
  openFailFastTracker?(target: FailFastTarget): Promise<FailureTracker>;
}

/** Declares a store entry, keeping its name and section types for the config schema (none without `settings`). */
export const defineStore = <const Name extends string, const E extends v.ObjectEntries = never>(entry: StoreEntry<Name, E>): StoreEntry<Name, E> =>
  entry;
