import { redactUrl } from '../../core/index.ts';
import type { StoreEntry } from '../../adapters/registry/store-entry.ts';
import { storeEntry } from '../../adapters/registry/stores.ts';
import type { Config } from './schema.ts';

export interface StoreUrl {
  /** The config key, e.g. `postgres.url`. */
  readonly field: string;
  /** The environment variable that sets it. */
  readonly variable: string;
  /** The URL the store connects to, credentials masked. */
  readonly redacted: string;
  /** True when neither the config nor the environment set it, and the adapter's built-in default is used. */
  readonly defaulted: boolean;
}

type Section = { url?: string } & Record<string, unknown>;

/** A store's config section as validated (`config.postgres`), empty for a store without one (`memory` is the transport's). */
export const storeSettings = (config: Config, store: StoreEntry): Section =>
  (store.settings ? (config as unknown as Record<string, Section | undefined>)[store.name] : undefined) ?? {};

/** The URL the configured store will use (the environment is already folded into `config`), or undefined without one. */
export async function storeUrlOf(config: Config): Promise<StoreUrl | undefined> {
  const store = storeEntry(config.store);
  if (!store.url) return undefined;
  const usesStore = config.trackerStrategy !== 'NONE' || config.dedup.enabled;
  if (!usesStore) return undefined;
  const configured = storeSettings(config, store).url;
  const url = configured ?? store.url.fallback;
  return { field: `${store.name}.url`, variable: store.url.variable, redacted: redactUrl(url), defaulted: configured === undefined };
}
