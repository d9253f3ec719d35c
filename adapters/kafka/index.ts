export * from './options.ts';
export * from './errors.ts';
export * from './records.ts';
export * from './transport.ts';
export * from './admin.ts';
export * from './replay.ts';
