import { DeserializationError, messageOf } from '../errors.ts';
import type { Codec } from './codec.ts';
import { maxQuotedBytes } from './codec.ts';
import { decodeUtf8 } from './utf8.ts';

const excerpt = (text: string): string =>
  text.length <= maxQuotedBytes ? text : `${text.slice(0, maxQuotedBytes)}… (${text.length} chars)`;

/** Strict UTF-8 then JSON.parse. The type parameter is a claim; pair it with a schema in `decode` to check it. */
export const json = <T = unknown>(): Codec<T> => ({
  name: 'json',
  decode: (bytes) => {
    const text = decodeUtf8(bytes);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      const message = messageOf(error);
      const at = /at position \d+/.exec(message)?.[0];
      throw new DeserializationError(`invalid JSON: ${message}; input: ${excerpt(text)}`, { cause: error, reason: at ? `invalid JSON ${at}` : 'invalid JSON' });
    }
  },
});

const encoder = new TextEncoder();

/** The inverse, for producing: strings as UTF-8, bytes as they are, anything else as JSON. */
export function encodeValue(value: unknown): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encoder.encode(value);
  return encoder.encode(stringify(value));
}

const bigintAsString = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

/** JSON.stringify, with bigints as strings; the replacer is only paid for when a bigint is actually there. */
function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof TypeError && /BigInt/i.test(error.message)) return JSON.stringify(value, bigintAsString);
    throw error;
  }
}
