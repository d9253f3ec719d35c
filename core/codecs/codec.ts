import type { BatchControl } from '../batch.ts';
import type { Envelope } from '../envelope.ts';

/** Turns a record's bytes into a value. Throw a DeserializationError (or anything: it is filed as one) on bad input. */
export interface Codec<T> {
  readonly name: string;
  decode(bytes: Uint8Array | null, record: Envelope): T;
  /**
   * Optional: gets ready for a batch before `decode` runs over its records, e.g. fetches the schemas they name. Its
   * own retries are its own; an error it throws fails the batch, which then comes again.
   */
  prepare?(records: readonly Envelope<Uint8Array | null>[], control: BatchControl): Promise<void>;
}

/** Longest excerpt of bad input quoted in an error message. */
export const maxQuotedBytes = 64;
