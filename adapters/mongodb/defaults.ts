// Apart from the options so that reading them does not load the driver (the service's config schema shows them).
export const mongoDefaults = {
  url: 'mongodb://127.0.0.1:27017/orchestron',
  database: 'orchestron',
  serverSelectionTimeoutMs: 2_000,
  connectTimeoutMs: 2_000,
  socketTimeoutMs: 30_000,
  maxPoolSize: 20,
  trackerCollection: 'orchestron_tracker',
  dedupCollection: 'orchestron_dedup',
} as const;
