import { Buffer } from 'node:buffer';
import avro from 'avsc';
import type { Format } from './format.ts';

export interface AvroOptions {
  /**
   * The schema the consumer reads with. Records written with another (compatible) schema are resolved into it, as
   * Avro's schema evolution rules say. Default: each record is read with the schema it was written with.
   */
  readonly readerSchema?: string | object;
}

const typeOf = (schema: string | object): avro.Type => avro.Type.forSchema((typeof schema === 'string' ? JSON.parse(schema) : schema) as avro.Schema);

/** Avro through avsc, which reads and writes Node Buffers (Bun and Deno have them too): why this is not in core/. */
export function avroFormat<T>(options: AvroOptions = {}): Format<T> {
  const readerType = options.readerSchema === undefined ? undefined : typeOf(options.readerSchema);
  return {
    name: 'avro',
    schemaType: 'AVRO',
    reader(schema) {
      const writerType = typeOf(schema);
      const asBuffer = (payload: Uint8Array) => Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      if (!readerType || readerType.equals(writerType)) {
        const type = readerType ?? writerType;
        return (payload) => type.fromBuffer(asBuffer(payload)) as T;
      }
      const resolver = readerType.createResolver(writerType);
      return (payload) => readerType.fromBuffer(asBuffer(payload), resolver) as T;
    },
    writer(schema) {
      const type = typeOf(schema);
      return { recordName: type.name, encode: (value) => type.toBuffer(value) };
    },
  };
}
