import { Ajv } from 'ajv';
import type { AnySchema, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DeserializationError } from '../../core/index.ts';
import { decodeUtf8 } from '../../core/codecs/utf8.ts';
import type { Format } from './format.ts';

export interface JsonSchemaOptions {
  /**
   * Check each decoded value against its writer schema; a value that breaks it is a DESERIALIZATION_ERROR. Default
   * true. Encoding does not check (as Confluent's serializer by default): validate before `produce`.
   */
  readonly validate?: boolean;
}

const encoder = new TextEncoder();

const describe = (validator: ValidateFunction): string =>
  (validator.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(value)'} ${e.message ?? 'is invalid'}`)
    .join('; ');

/** JSON Schema through ajv (draft-07 by default, 2020-12 when the schema says so). */
export function jsonSchemaFormat<T>(options: JsonSchemaOptions = {}): Format<T> {
  const check = options.validate ?? true;
  const draft7 = new Ajv({ strict: false, addUsedSchema: false });
  const draft2020 = new Ajv2020({ strict: false, addUsedSchema: false });
  const compile = (schema: string): ValidateFunction => {
    const parsed = JSON.parse(schema) as AnySchema & { $schema?: string };
    return (/2019-09|2020-12/.test(String((parsed as { $schema?: unknown }).$schema ?? '')) ? draft2020 : draft7).compile(parsed);
  };
  return {
    name: 'json-schema',
    schemaType: 'JSON',
    reader(schema) {
      const validator = check ? compile(schema) : undefined;
      return (payload) => {
        const text = decodeUtf8(payload);
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          throw new DeserializationError(`invalid JSON: ${(error as Error).message}`, { cause: error, reason: 'invalid JSON' });
        }
        if (validator && !validator(value)) {
          throw new DeserializationError(`does not match its schema: ${describe(validator)}`, { reason: 'does not match its schema' });
        }
        return value as T;
      };
    },
    writer(schema) {
      const title = (JSON.parse(schema) as { title?: unknown }).title;
      return { recordName: typeof title === 'string' ? title : undefined, encode: (value) => encoder.encode(JSON.stringify(value)) };
    },
  };
}
