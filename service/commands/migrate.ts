import { ConfigError } from '../../core/index.ts';
import { StoreRoles } from '../../adapters/registry/store-entry.ts';
import type { StoreRole } from '../../adapters/registry/store-entry.ts';
import { storeEntry } from '../../adapters/registry/stores.ts';
import { loadConfig } from '../config/load.ts';
import { storeSettings } from '../config/store-url.ts';
import type { Host } from '../host.ts';

const say = (host: Host, line: object) => host.write('stdout', `${JSON.stringify(line)}\n`);

/** Brings the configured store's schema up to date; prints one JSON line per step. */
export async function migrateCommand(host: Host, file: string, targetNames: readonly string[]): Promise<number> {
  const { config } = await loadConfig(file, host.env);
  for (const target of targetNames) {
    if (!(StoreRoles as readonly string[]).includes(target)) {
      throw new ConfigError('--target', `must be one of ${StoreRoles.join(', ')}; got ${JSON.stringify(target)}`);
    }
  }
  const targets = (targetNames.length > 0 ? targetNames : StoreRoles) as readonly StoreRole[];
  const store = storeEntry(config.store);
  if (!store.migrate) {
    say(host, { store: store.name, status: `nothing to migrate: the ${store.name} store keeps no schema` });
    return 0;
  }
  await store.migrate(storeSettings(config, store), targets, (line) => say(host, { store: store.name, ...line }));
  return 0;
}
