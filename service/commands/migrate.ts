import { ConfigError } from '../../core/index.ts';
import { migrate } from '../../adapters/postgres/index.ts';
import type { MigrationTarget } from '../../adapters/postgres/index.ts';
import { MigrationTargets } from '../../adapters/postgres/index.ts';
import { createMongoDedupStore, createMongoTracker } from '../../adapters/mongodb/index.ts';
import { loadConfig } from '../config/load.ts';
import type { Host } from '../host.ts';

const say = (host: Host, line: object) => host.write('stdout', `${JSON.stringify(line)}\n`);

/** Brings the configured store's schema up to date; prints one JSON line per step. */
export async function migrateCommand(host: Host, file: string, targetNames: readonly string[]): Promise<number> {
  const { config } = await loadConfig(file, host.env);
  for (const target of targetNames) {
    if (!(MigrationTargets as readonly string[]).includes(target)) {
      throw new ConfigError('--target', `must be one of ${MigrationTargets.join(', ')}; got ${JSON.stringify(target)}`);
    }
  }
  const targets = (targetNames.length > 0 ? targetNames : MigrationTargets) as readonly MigrationTarget[];
  switch (config.store) {
    case 'postgres': {
      const { url, schema, trackerTable, dedupTable } = config.postgres;
      const options = Object.fromEntries(Object.entries({ url, schema, trackerTable, dedupTable }).filter(([, v]) => v !== undefined));
      const applied = await migrate(options, { targets });
      for (const migration of applied) say(host, { store: 'postgres', applied: migration });
      say(host, { store: 'postgres', targets, applied: applied.length, status: applied.length ? 'migrated' : 'up to date' });
      return 0;
    }
    case 'mongodb': {
      const connection = { ...(config.mongodb.url ? { url: config.mongodb.url } : {}), ...(config.mongodb.database ? { database: config.mongodb.database } : {}) };
      for (const target of targets) {
        const store = target === 'tracker' ? await createMongoTracker(connection) : await createMongoDedupStore(connection);
        await store.close();
        say(host, { store: 'mongodb', target, status: 'indexes ensured' });
      }
      return 0;
    }
    default:
      say(host, { store: config.store, status: `nothing to migrate: the ${config.store} store keeps no schema` });
      return 0;
  }
}
