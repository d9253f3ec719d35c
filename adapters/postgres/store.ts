import { optionalInt, text } from '../registry/config-fields.ts';
import { defineStore } from '../registry/store-entry.ts';
import { defaultDatabaseUrl, postgresDefaults } from './options.ts';

/** The Postgres store as the service configures it (`store: postgres`); the driver loads only when a store opens. */
export const postgresStore = defineStore({
  name: 'postgres',
  url: { schemes: ['postgres', 'postgresql'], variable: 'DATABASE_URL', fallback: defaultDatabaseUrl },
  settings: {
    entries: {
      schema: text(`Schema of the tables; default \`${postgresDefaults.schema}\`.`),
      trackerTable: text(`Default \`${postgresDefaults.trackerTable}\`.`),
      dedupTable: text(`Default \`${postgresDefaults.dedupTable}\`.`),
      poolSize: optionalInt(1, `Default ${postgresDefaults.poolSize}.`),
    },
    about: 'Postgres store settings.',
  },
  openTracker: async (settings, platform) => (await import('./tracker.ts')).createPostgresTracker({ ...settings, ...platform }),
  openDedup: async (settings, platform) => (await import('./dedup-store.ts')).createPostgresDedupStore({ ...settings, ...platform }),
  async migrate({ url, schema, trackerTable, dedupTable }, targets, say) {
    const applied = await (await import('./migrations.ts')).migrate({ url, schema, trackerTable, dedupTable }, { targets });
    for (const migration of applied) say({ applied: migration });
    say({ targets, applied: applied.length, status: applied.length ? 'migrated' : 'up to date' });
  },
  openFailFastTracker: async ({ url, name, timeoutMs }) =>
    (await import('./tracker.ts')).createPostgresTracker({ url, trackerTable: name, poolSize: 4, connectTimeoutMs: timeoutMs, statementTimeoutMs: timeoutMs }),
});
