export * from './options.ts';
export * from './errors.ts';
export * from './records.ts';
export * from './transport.ts';
export * from './admin.ts';
export * from './replay.ts';
export type { PartitionProblems } from './partition-health.ts';
export type { PartitionBlock } from './partition-blocks.ts';
export type { PartitionStall } from './progress-watchdog.ts';
