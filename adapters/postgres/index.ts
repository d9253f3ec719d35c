export type { PostgresOptions, ResolvedPostgresOptions } from './options.ts';
export { defaultDatabaseUrl, postgresDefaults, resolvePostgresOptions } from './options.ts';
export type { PostgresClient } from './connect.ts';
export { connectPostgres } from './connect.ts';
export type { AppliedMigration, MigrateOptions, Migration, MigrationTarget } from './migrations.ts';
export { MigrationTargets, dedupMigrations, migrate, trackerMigrations } from './migrations.ts';
export { PostgresTracker, createPostgresTracker } from './tracker.ts';
export { PostgresDedupStore, createPostgresDedupStore } from './dedup-store.ts';
