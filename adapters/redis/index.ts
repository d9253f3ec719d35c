export * from './options.ts';
export * from './keys.ts';
export { connectRedis, closeRedis, storeError } from './connect.ts';
export * from './tracker.ts';
export * from './dedup-store.ts';
