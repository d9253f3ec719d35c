import type { SchemaType } from './registry.ts';

/** Reads one payload (the bytes after the wire-format header) written with one writer schema. */
export type Reader<T> = (payload: Uint8Array) => T;

/** Writes values with one schema: the payload, and the prefix that goes before it (Protobuf's message indexes). */
export interface Writer<T> {
  /** The schema's fully qualified record name, for the record and topic-record subject naming. */
  readonly recordName: string | undefined;
  readonly prefix?: Uint8Array;
  readonly encode: (value: T) => Uint8Array;
}

/** One serialization format of the registry (Avro, Protobuf, JSON Schema). */
export interface Format<T> {
  readonly name: string;
  readonly schemaType: SchemaType;
  /** A reader for payloads written with `schema` (as the registry holds it). Throws on a schema it cannot use. */
  reader(schema: string): Reader<T>;
  /** A writer for the producer's own schema, in the registry's text form. */
  writer(schema: string): Writer<T>;
}
