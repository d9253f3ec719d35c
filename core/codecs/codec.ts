import type { Envelope } from '../envelope.ts';

/** Turns a record's bytes into a value. Throw a DeserializationError (or anything: it is filed as one) on bad input. */
export interface Codec<T> {
  readonly name: string;
  decode(bytes: Uint8Array | null, record: Envelope): T;
}

/** Longest excerpt of bad input quoted in an error message. */
export const maxQuotedBytes = 64;
