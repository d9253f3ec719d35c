import type { BatchControl, Codec, Envelope, RetryOptions } from '../../core/index.ts';
import { ConfigError, DeserializationError, messageOf, retryOptions, withRetry } from '../../core/index.ts';
import type { AvroOptions } from './avro.ts';
import { avroFormat } from './avro.ts';
import type { Format, Reader } from './format.ts';
import type { JsonSchemaOptions } from './json-schema.ts';
import { jsonSchemaFormat } from './json-schema.ts';
import type { ProtobufOptions } from './protobuf.ts';
import { protobufFormat } from './protobuf.ts';
import type { SchemaRegistryClient } from './registry.ts';
import { BoundedMap } from './registry.ts';
import type { SubjectNaming } from './subjects.ts';
import { checkSubjectNaming, subjectName } from './subjects.ts';
import { frame, unframe } from './wire.ts';

export type { AvroOptions, JsonSchemaOptions, ProtobufOptions };

export interface RegistryCodecOptions {
  readonly registry: SchemaRegistryClient;
  /** The producer's schema (Avro JSON, a .proto file's text, a JSON Schema), needed by `encoder` only. */
  readonly schema?: string | object;
  /** Subject naming on produce. Default `topic`. */
  readonly subjectNaming?: SubjectNaming;
  /** Register the schema when the subject does not hold it yet; otherwise it must be registered already. Default false. */
  readonly autoRegister?: boolean;
  /** The codec is for record keys (`<topic>-key` subjects). Default false: values. */
  readonly isKey?: boolean;
  /** Retries of a registry that does not answer while decoding, before the batch fails (and comes again). */
  readonly retry?: Partial<RetryOptions>;
}

/** A Schema Registry codec: a Codec for `decode`, and `encoder(topic)` for `produce`'s `encode`. */
export interface RegistryCodec<T> extends Codec<T> {
  /** The sync encode function for `topic`, once its schema id is known (registered first with `autoRegister`). */
  encoder(topic: string): Promise<(value: T) => Uint8Array>;
  /** Outside a pipeline: decodes one value, fetching its schema first when it is not cached (no retries). */
  read(bytes: Uint8Array | null): Promise<T>;
}

/** What a schema id stands for once fetched: a reader, or why records naming it cannot be read. */
type Resolved<T> = { readonly read: Reader<T> } | { readonly error: string };

const failure = (schemaId: number, problem: string, cause?: unknown): DeserializationError =>
  new DeserializationError(`schema id ${schemaId}: ${problem}`, { cause, reason: `schema id ${schemaId}: ${problem.split(':')[0]}` });

function registryCodec<T>(format: Format<T>, options: RegistryCodecOptions): RegistryCodec<T> {
  const { registry } = options;
  const naming = checkSubjectNaming(options.subjectNaming ?? 'topic');
  const retry = retryOptions({ attempts: 5, initialDelayMs: 100, maxDelayMs: 5_000, ...options.retry });
  const resolved = new BoundedMap<number, Resolved<T>>(1_000);
  // Ids the registry answered 404 for, while one batch is decoded: asked again for the next batch.
  let unknown = new Set<number>();

  async function resolve(schemaId: number): Promise<Resolved<T> | undefined> {
    const found = await registry.schemaById(schemaId);
    if (found === undefined) return undefined;
    if (found.schemaType !== format.schemaType) return { error: `a ${found.schemaType} schema, not ${format.schemaType}` };
    try {
      return { read: format.reader(found.schema) };
    } catch (error) {
      return { error: `unusable ${format.name} schema: ${messageOf(error)}` };
    }
  }

  /** Fetches the schemas of the ids not cached yet; ids the registry does not know are noted for this batch. */
  async function load(values: Iterable<Uint8Array | null>, attempt: (id: number) => Promise<Resolved<T> | undefined>): Promise<void> {
    unknown = new Set();
    const wanted = new Set<number>();
    for (const value of values) {
      if (value === null || value.byteLength < 5 || value[0] !== 0) continue;
      const id = new DataView(value.buffer, value.byteOffset, 5).getInt32(1);
      if (!resolved.has(id)) wanted.add(id);
    }
    for (const id of wanted) {
      const schema = await attempt(id);
      if (schema === undefined) unknown.add(id);
      else resolved.set(id, schema);
    }
  }

  function decodeBytes(bytes: Uint8Array | null): T {
    const { schemaId, payload } = unframe(bytes);
    const schema = resolved.get(schemaId);
    if (schema === undefined) {
      throw failure(schemaId, unknown.has(schemaId) ? 'not found in the schema registry' : 'not fetched from the schema registry');
    }
    if ('error' in schema) throw failure(schemaId, schema.error);
    try {
      return schema.read(payload);
    } catch (error) {
      throw failure(schemaId, `invalid ${format.name} payload: ${messageOf(error)}`, error);
    }
  }

  return {
    name: format.name,
    async prepare(records: readonly Envelope<Uint8Array | null>[], control: BatchControl) {
      const { clock, random } = control.context.platform;
      await load(
        records.map((record) => record.value),
        async (id) => {
          const outcome = await withRetry(() => resolve(id), retry, { clock, random, signal: control.signal });
          if (!outcome.ok) throw outcome.error;
          return outcome.value;
        },
      );
    },
    async read(bytes) {
      await load([bytes], resolve);
      return decodeBytes(bytes);
    },
    decode: (bytes) => decodeBytes(bytes),
    async encoder(topic) {
      if (options.schema === undefined) throw new ConfigError('schema', 'encoder needs the writer schema (Avro JSON, .proto text or JSON Schema)');
      const text = typeof options.schema === 'string' ? options.schema : JSON.stringify(options.schema);
      const writer = format.writer(text);
      const subject = subjectName(naming, topic, writer.recordName, options.isKey);
      const schemaId = await registry.idOf(subject, { schema: text, schemaType: format.schemaType }, options.autoRegister ?? false);
      return (value) => frame(schemaId, writer.encode(value), writer.prefix);
    },
  };
}

/** Avro in the Confluent wire format (avsc). */
export const avro = <T = unknown>(options: RegistryCodecOptions & AvroOptions): RegistryCodec<T> => registryCodec(avroFormat<T>(options), options);

/** Protobuf in the Confluent wire format, message indexes included (protobufjs). */
export const protobuf = <T = unknown>(options: RegistryCodecOptions & ProtobufOptions): RegistryCodec<T> =>
  registryCodec(protobufFormat<T>(options), options);

/** JSON Schema in the Confluent wire format (ajv). */
export const jsonSchema = <T = unknown>(options: RegistryCodecOptions & JsonSchemaOptions): RegistryCodec<T> =>
  registryCodec(jsonSchemaFormat<T>(options), options);
