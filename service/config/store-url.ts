import { redactUrl } from '../../core/index.ts';
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

const variables = { postgres: 'DATABASE_URL', redis: 'REDIS_URL', mongodb: 'MONGO_URL' } as const;

/** The adapters' own defaults, loaded only for the store in use (the MongoDB options module loads its driver). */
async function builtInDefault(store: keyof typeof variables): Promise<string> {
  switch (store) {
    case 'postgres':
      return (await import('../../adapters/postgres/options.ts')).defaultDatabaseUrl;
    case 'redis':
      return (await import('../../adapters/redis/options.ts')).redisDefaults.url;
    case 'mongodb':
      return (await import('../../adapters/mongodb/options.ts')).mongoDefaults.url;
  }
}

/** The URL the configured store will use (the environment is already folded into `config`), or undefined without one. */
export async function storeUrlOf(config: Config): Promise<StoreUrl | undefined> {
  const store = config.store;
  if (store === 'memory') return undefined;
  const usesStore = config.trackerStrategy !== 'NONE' || config.dedup.enabled;
  if (!usesStore) return undefined;
  const configured = config[store].url;
  const url = configured ?? (await builtInDefault(store));
  return { field: `${store}.url`, variable: variables[store], redacted: redactUrl(url), defaulted: configured === undefined };
}
