import { StoreError, messageOf } from '../../core/index.ts';

/**
 * SQLSTATE classes that another try cannot fix: data (22), constraints (23), authorization (28), syntax, missing
 * tables and privileges (42), unknown database (3D), unsupported features (0A). Everything else — connection loss,
 * timeouts (57014), shutdowns, deadlocks, lack of resources, and errors with no SQLSTATE — is worth retrying.
 */
const permanentClasses = new Set(['22', '23', '28', '42', '3D', '0A']);

const sqlState = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

export const isRetryable = (error: unknown): boolean => {
  const state = sqlState(error);
  return state === undefined || !permanentClasses.has(state.slice(0, 2));
};

/** `CODE: message`, as the driver reported it. */
export const describe = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `${code}: ${messageOf(error)}` : messageOf(error);
};

/** Wraps a driver error as StoreError: names the operation and the server (password redacted), keeps the cause. */
export function storeError(operation: string, server: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(`postgres ${operation} failed (${server}): ${describe(error)}`, { cause: error, retryable: isRetryable(error) });
}
