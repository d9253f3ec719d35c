import { findErrorBy } from '@platformatic/kafka';
import { AuthenticationError, ConfigError, InstanceIdInUseError, ProducerFencedError, RecordRefusedError, SinkError, SourceError, messageOf } from '../../core/index.ts';
import type { OrchestronError } from '../../core/index.ts';

/**
 * Fenced: another producer holds the transactional id now. INVALID_PRODUCER_EPOCH alone is not taken as fencing: the
 * coordinator also bumps the epoch when it times a transaction out; the producer is then recreated claiming its old
 * epoch, and the coordinator answers PRODUCER_FENCED if another instance took over (see producer-holder.ts).
 */
export function isFenced(error: unknown): boolean {
  // Not the client's `producerFenced` flag: it marks INVALID_PRODUCER_EPOCH.
  return error instanceof Error && findErrorBy(error, 'apiId', 'PRODUCER_FENCED') !== null;
}

/** Broker codes that refuse a record for what it is: sending it again cannot help, another record may pass. */
const refusedRecordApiIds = ['INVALID_RECORD', 'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_TIMESTAMP', 'CORRUPT_MESSAGE'];

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
export const brokerCodes = apiIds;

/**
 * True when the broker refused the credentials. The client wraps its own non-retryable AuthenticationError in a
 * retryable NetworkError ("Connection to … failed"), so the causes are searched, not only the outer error.
 */
export function isAuthenticationFailure(error: unknown): boolean {
  return nested(error).some((e) => e.code === 'PLT_KFK_AUTHENTICATION' || e.apiId === 'SASL_AUTHENTICATION_FAILED');
}

/** Broker codes that leave an (idempotent, transactional) producer unusable until it gets a new epoch. */
const brokenStateApiIds = ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'INVALID_PRODUCER_EPOCH', 'INVALID_TXN_STATE', 'UNKNOWN_PRODUCER_ID'];
/** The client's own errors when its transaction state went wrong (a transaction it still thinks is open, or used up). */
const brokenClientState = /already an active transaction|in use by (a|another) transaction|already completed transaction/;

/** Why `error` says the producer is in a broken state (a broker code or the client's message), or undefined. */
export function brokenProducerState(error: unknown): string | undefined {
  if (isFenced(error)) return undefined;
  const code = apiIds(error).find((apiId) => brokenStateApiIds.includes(apiId));
  if (code) return code;
  const message = nested(error).map((e) => (e instanceof Error ? e.message : '')).find((m) => brokenClientState.test(m));
  return message || undefined;
}

const describe = (error: unknown): string => {
  const codes = apiIds(error);
  return codes.length > 0 ? `${messageOf(error)} (${codes.join(', ')})` : messageOf(error);
};

/**
 * The broker's answer when another live member holds this consumer's group instance id (static membership):
 * `taken` (FENCED_INSTANCE_ID, classic protocol) when a newer member claimed it, `unreleased` (UNRELEASED_INSTANCE_ID,
 * consumer protocol) when the older holder has not left, which a crashed predecessor does only when its session expires.
 */
export function instanceIdConflict(error: unknown): 'taken' | 'unreleased' | undefined {
  const codes = apiIds(error);
  if (codes.includes('FENCED_INSTANCE_ID')) return 'taken';
  if (codes.includes('UNRELEASED_INSTANCE_ID')) return 'unreleased';
  return undefined;
}

/** What to change when two processes share an instance id. */
export const instanceIdSetting = 'give each process its own kafka.instanceId (or ORCHESTRON_INSTANCE_ID)';

/**
 * The error for two live processes with one instance id, naming it when known. UNRELEASED_INSTANCE_ID is retryable:
 * until the holder's session expires it may be this instance's own crashed predecessor.
 */
export function instanceIdInUse(error: unknown, what: string, instanceId?: string): InstanceIdInUseError {
  const conflict = instanceIdConflict(error);
  const id = instanceId === undefined ? 'this instance id' : `instance id ${JSON.stringify(instanceId)}`;
  const who =
    conflict === 'unreleased'
      ? `the group still holds ${id} for another member (this instance's crashed predecessor until its session expires, or another live process with the same instance id)`
      : `another process joined the group with ${id} and took this one's place (two processes with the same instance id)`;
  return new InstanceIdInUseError(`${what}: ${who}; if two processes run with it, ${instanceIdSetting}: ${describe(error)}`, {
    cause: error,
    retryable: conflict === 'unreleased',
  });
}

/**
 * The listener does not do SASL as configured: ILLEGAL_SASL_STATE when it is a plaintext (or TLS-only) listener, which
 * answers the SASL handshake as out of place; UNSUPPORTED_SASL_MECHANISM when SASL is on but not with this mechanism.
 */
function saslMismatch(error: unknown): 'no-sasl' | 'mechanism' | undefined {
  const codes = apiIds(error);
  if (codes.includes('ILLEGAL_SASL_STATE')) return 'no-sasl';
  if (codes.includes('UNSUPPORTED_SASL_MECHANISM')) return 'mechanism';
  return undefined;
}

/** A topic the broker says does not exist (the client turns UNKNOWN_TOPIC_OR_PARTITION in metadata into "Unknown topic X."). */
const missingTopic = (error: unknown): boolean =>
  apiIds(error).some((code) => code === 'UNKNOWN_TOPIC_OR_PARTITION' || code === 'UNKNOWN_TOPIC_ID') ||
  nested(error).some((e) => e instanceof Error && e.message.startsWith('Unknown topic '));

/** Which side a failed call was on: what the consumer does is the source's, the rest (producer, admin) the sink's. */
export type KafkaSide = 'source' | 'sink';

/**
 * A client error as an OrchestronError: fencing is fatal; otherwise retryable unless the client says it cannot be.
 * Its code names the side that failed (SOURCE_ERROR for the consumer's calls, SINK_ERROR for the rest).
 */
export function kafkaError(error: unknown, what: string, side: KafkaSide = 'sink'): OrchestronError {
  if (isFenced(error)) {
    return new ProducerFencedError(
      `${what}: fenced by a newer producer with the same transactional id (another live process with the same instance id, or a restart of this one; if two run at once, ${instanceIdSetting}): ${describe(error)}`,
      { cause: error },
    );
  }
  if (instanceIdConflict(error)) return instanceIdInUse(error, what);
  const sasl = saslMismatch(error);
  if (sasl === 'no-sasl') {
    return new ConfigError(
      'kafka.sasl',
      `${what}: the broker's listener does not use SASL (it answered the SASL handshake with ILLEGAL_SASL_STATE): point kafka.brokers at its SASL listener, or remove kafka.sasl for a plaintext one`,
      { cause: error },
    );
  }
  if (sasl === 'mechanism') {
    return new ConfigError('kafka.sasl.mechanism', `${what}: the broker does not accept this SASL mechanism (UNSUPPORTED_SASL_MECHANISM): ${describe(error)}`, { cause: error });
  }
  if (isAuthenticationFailure(error)) {
    return new AuthenticationError(
      `${what}: the broker refused the SASL credentials (check kafka.sasl.mechanism, kafka.sasl.username and kafka.sasl.password): ${describe(error)}`,
      { cause: error },
    );
  }
  if (apiIds(error).some((apiId) => refusedRecordApiIds.includes(apiId))) {
    return new RecordRefusedError(`${what}: the broker refused a record: ${describe(error)}`, { cause: error });
  }
  if (brokenProducerState(error)) {
    // The producer is recreated before the next transaction (see producer-holder.ts): trying again can help.
    return new SinkError(`${what}: ${describe(error)}`, { cause: error, retryable: true });
  }
  const permanent = error instanceof Error && findErrorBy(error, 'canRetry', false) !== null;
  if (side === 'source') {
    const cause = missingTopic(error) ? `a source topic does not exist (check topics; the broker does not create it on demand): ${describe(error)}` : describe(error);
    return new SourceError(`${what}: ${cause}`, { cause: error, retryable: !permanent });
  }
  return new SinkError(`${what}: ${describe(error)}`, { cause: error, retryable: !permanent });
}
