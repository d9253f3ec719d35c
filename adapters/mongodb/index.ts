export { MongoTracker, createMongoTracker } from './tracker.ts';
export type { MongoTrackerInit } from './tracker.ts';
export type { TrackerDocument } from './tracker-document.ts';
export { MongoDedupStore, createMongoDedupStore } from './dedup-store.ts';
export type { DedupDocument, MongoDedupInit } from './dedup-store.ts';
export { mongoDefaults, resolveConnection, resolveDedupOptions, resolveTrackerOptions } from './options.ts';
export type {
  Environment,
  MongoConnectionOptions,
  MongoDedupOptions,
  MongoTrackerOptions,
  ResolvedConnection,
  ResolvedDedupOptions,
  ResolvedTrackerOptions,
} from './options.ts';
export { connectMongo, closeConnection, ferretdbMaxUpdatesPerCommand } from './connect.ts';
export type { MongoConnection } from './connect.ts';
export { dedupIndexes, trackerIndexes } from './indexes.ts';
export type { Expiry } from './indexes.ts';
