export * from './tracer.ts';
