import { text } from '../registry/config-fields.ts';
import { defineStore } from '../registry/store-entry.ts';
import { mongoDefaults } from './defaults.ts';

/** The MongoDB store as the service configures it (`store: mongodb`); the driver loads only when a store opens. */
export const mongodbStore = defineStore({
  name: 'mongodb',
  url: { schemes: ['mongodb', 'mongodb+srv'], variable: 'MONGO_URL', fallback: mongoDefaults.url },
  settings: {
    entries: { database: text(`Database; default from the URL, then \`${mongoDefaults.database}\`.`) },
    about: 'MongoDB store settings.',
  },
  openTracker: async ({ url, database }, { clock }) => (await import('./tracker.ts')).createMongoTracker({ url, database, clock }),
  openDedup: async ({ url, database }, { clock }) => (await import('./dedup-store.ts')).createMongoDedupStore({ url, database, clock }),
  async migrate({ url, database }, targets, say) {
    const [{ createMongoTracker }, { createMongoDedupStore }] = await Promise.all([import('./tracker.ts'), import('./dedup-store.ts')]);
    for (const target of targets) {
      const store = target === 'tracker' ? await createMongoTracker({ url, database }) : await createMongoDedupStore({ url, database });
      await store.close();
      say({ target, status: 'indexes ensured' });
    }
  },
  openFailFastTracker: async ({ url, name, timeoutMs }) =>
    (await import('./tracker.ts')).createMongoTracker({
      url,
      collection: name,
      serverSelectionTimeoutMs: timeoutMs,
      connectTimeoutMs: timeoutMs,
      socketTimeoutMs: timeoutMs,
    }),
});
