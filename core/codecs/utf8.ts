import { DeserializationError, messageOf } from '../errors.ts';
import type { Codec } from './codec.ts';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes bytes as strict UTF-8; null and empty values fail unless `allowEmpty`. */
export function decodeUtf8(bytes: Uint8Array | null, allowEmpty = false): string {
  if (bytes === null || bytes.byteLength === 0) {
    if (allowEmpty) return '';
    const empty = bytes === null ? 'empty value (null)' : 'empty value (0 bytes)';
    throw new DeserializationError(empty, { reason: empty });
  }
  try {
    return strict.decode(bytes);
  } catch (error) {
    const message = `invalid UTF-8 in a ${bytes.byteLength}-byte value: ${messageOf(error)}`;
    throw new DeserializationError(message, { cause: error, reason: message });
  }
}

export interface Utf8Options {
  /** Decode null and empty values as '' instead of failing. */
  readonly allowEmpty?: boolean;
}

export const utf8 = (options: Utf8Options = {}): Codec<string> => ({
  name: 'utf8',
  decode: (bytes) => decodeUtf8(bytes, options.allowEmpty ?? false),
});
