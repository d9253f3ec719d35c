export * from './registry.ts';
export * from './subjects.ts';
export * from './wire.ts';
export * from './codec.ts';
export type { AvroOptions } from './avro.ts';
export type { ProtobufOptions } from './protobuf.ts';
export type { JsonSchemaOptions } from './json-schema.ts';
export * from './memory.ts';
