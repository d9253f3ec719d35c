import { findErrorBy } from '@platformatic/kafka';
import { ProducerFencedError, SinkError, messageOf } from '../../core/index.ts';
import type { OrchestronError } from '../../core/index.ts';

const fencingApiIds = ['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED'];

export function isFenced(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (findErrorBy(error, 'producerFenced', true)) return true;
  return fencingApiIds.some((apiId) => findErrorBy(error, 'apiId', apiId) !== null);
}

/** The broker's own error codes found anywhere in a client error, e.g. `NOT_LEADER_OR_FOLLOWER`. */
function apiIds(error: unknown, found = new Set<string>()): Set<string> {
  if (typeof error !== 'object' || error === null) return found;
  const { apiId, errors, cause } = error as { apiId?: unknown; errors?: unknown; cause?: unknown };
  if (typeof apiId === 'string') found.add(apiId);
  if (Array.isArray(errors)) for (const inner of errors) apiIds(inner, found);
  if (cause) apiIds(cause, found);
  return found;
}

const describe = (error: unknown): string => {
  const codes = [...apiIds(error)];
  return codes.length > 0 ? `${messageOf(error)} (${codes.join(', ')})` : messageOf(error);
};

/** A client error as an OrchestronError: fencing is fatal; otherwise retryable unless the client says it cannot be. */
export function kafkaError(error: unknown, what: string): OrchestronError {
  if (isFenced(error)) {
    return new ProducerFencedError(`${what}: fenced by a newer instance with the same transactional id: ${describe(error)}`, { cause: error });
  }
  const permanent = error instanceof Error && findErrorBy(error, 'canRetry', false) !== null;
  return new SinkError(`${what}: ${describe(error)}`, { cause: error, retryable: !permanent });
}
