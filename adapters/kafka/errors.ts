import { findErrorBy } from '@platformatic/kafka';
import { AuthenticationError, ProducerFencedError, SinkError, messageOf } from '../../core/index.ts';
import type { OrchestronError } from '../../core/index.ts';

const fencingApiIds = ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED'];

export function isFenced(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (findErrorBy(error, 'producerFenced', true)) return true;
  return fencingApiIds.some((apiId) => findErrorBy(error, 'apiId', apiId) !== null);
}

interface ClientErrorShape {
  readonly code?: unknown;
  readonly apiId?: unknown;
  readonly errors?: unknown;
  readonly cause?: unknown;
}

/** A client error and everything nested in it (its `errors` and causes), flattened. */
function nested(error: unknown, found: ClientErrorShape[] = [], depth = 0): ClientErrorShape[] {
  if (typeof error !== 'object' || error === null || depth > 8) return found;
  const shape = error as ClientErrorShape;
  found.push(shape);
  if (Array.isArray(shape.errors)) for (const inner of shape.errors) nested(inner, found, depth + 1);
  if (shape.cause) nested(shape.cause, found, depth + 1);
  return found;
}

const strings = (values: unknown[]): string[] => [...new Set(values.filter((v): v is string => typeof v === 'string'))];

/** The broker's own error codes found anywhere in a client error, e.g. `NOT_LEADER_OR_FOLLOWER`. */
const apiIds = (error: unknown): string[] => strings(nested(error).map((e) => e.apiId));

/**
 * True when the broker refused the credentials. The client wraps its own non-retryable AuthenticationError in a
 * retryable NetworkError ("Connection to … failed"), so the causes are searched, not only the outer error.
 */
export function isAuthenticationFailure(error: unknown): boolean {
  return nested(error).some((e) => e.code === 'PLT_KFK_AUTHENTICATION' || e.apiId === 'SASL_AUTHENTICATION_FAILED');
}

const describe = (error: unknown): string => {
  const codes = apiIds(error);
  return codes.length > 0 ? `${messageOf(error)} (${codes.join(', ')})` : messageOf(error);
};

/** A client error as an OrchestronError: fencing is fatal; otherwise retryable unless the client says it cannot be. */
export function kafkaError(error: unknown, what: string): OrchestronError {
  if (isFenced(error)) {
    return new ProducerFencedError(`${what}: fenced by a newer instance with the same transactional id: ${describe(error)}`, { cause: error });
  }
  if (isAuthenticationFailure(error)) {
    return new AuthenticationError(
      `${what}: the broker refused the SASL credentials (check kafka.sasl.mechanism, kafka.sasl.username and kafka.sasl.password): ${describe(error)}`,
      { cause: error },
    );
  }
  const permanent = error instanceof Error && findErrorBy(error, 'canRetry', false) !== null;
  return new SinkError(`${what}: ${describe(error)}`, { cause: error, retryable: !permanent });
}
