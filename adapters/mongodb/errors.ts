import { BSON, MongoAPIError, MongoBulkWriteError, MongoParseError, MongoServerError } from 'mongodb';
import type { WriteError } from 'mongodb';
import { OrchestronError, StoreError, messageOf } from '../../core/errors.ts';

export const duplicateKeyCode = 11000;

// Server errors a retry cannot fix: bad value, failed to parse, unauthorized, authentication failed,
// document validation failed, document too large, key too long.
const permanentServerCodes = new Set([2, 9, 13, 18, 121, 10334, 17280]);

/**
 * A driver error as a StoreError that names the store and its (redacted) server, cause kept. Connection losses, timeouts
 * and server-selection failures stay retryable, so breakers and retries count them; malformed input does not.
 */
export function toStoreError(what: string, target: string, error: unknown): OrchestronError {
  if (error instanceof OrchestronError) return error;
  return new StoreError(`${what} failed at ${target}: ${messageOf(error)}`, { cause: error, retryable: isRetryable(error) });
}

function isRetryable(error: unknown): boolean {
  // Raised in this process before anything is sent: bad input (a document over 16 MiB fails with a RangeError).
  if (error instanceof BSON.BSONError || error instanceof MongoParseError) return false;
  if (error instanceof RangeError || error instanceof TypeError) return false;
  if (error instanceof MongoAPIError) return false;
  if (error instanceof MongoServerError && typeof error.code === 'number') return !permanentServerCodes.has(error.code);
  return true;
}

/** The write errors of a bulk write failure, whether the driver gave one or several. */
export function writeErrorsOf(error: MongoBulkWriteError): WriteError[] {
  const { writeErrors } = error;
  if (writeErrors === undefined || writeErrors === null) return [];
  return Array.isArray(writeErrors) ? writeErrors : [writeErrors as WriteError];
}

/**
 * The operation indexes that hit a duplicate key, when duplicate keys are all that went wrong; otherwise undefined
 * (the caller rethrows). A write concern error is never swallowed.
 */
export function duplicateKeyIndexes(error: unknown): Set<number> | undefined {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  const writeErrors = writeErrorsOf(error);
  if (writeErrors.length === 0 || error.result?.getWriteConcernError() !== undefined) return undefined;
  if (!writeErrors.every((w) => w.code === duplicateKeyCode)) return undefined;
  return new Set(writeErrors.map((w) => w.index));
}
