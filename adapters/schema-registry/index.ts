export * from './codec.ts';
export * from './registry.ts';
export * from './memory.ts';
export * from './subjects.ts';
export * from './wire.ts';
