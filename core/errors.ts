/** Stable error codes. Record failure categories are the first four; the rest concern the toolkit itself. */
export const ErrorCodes = {
  DESERIALIZATION_ERROR: 'DESERIALIZATION_ERROR',
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  PROCESSING_ERROR: 'PROCESSING_ERROR',
  TIMEOUT_ERROR: 'TIMEOUT_ERROR',
  BREAKER_OPEN: 'BREAKER_OPEN',
  CONFIG_ERROR: 'CONFIG_ERROR',
  STORE_ERROR: 'STORE_ERROR',
  SINK_ERROR: 'SINK_ERROR',
  SOURCE_ERROR: 'SOURCE_ERROR',
  PRODUCER_FENCED: 'PRODUCER_FENCED',
  INSTANCE_ID_IN_USE: 'INSTANCE_ID_IN_USE',
  AUTHENTICATION_ERROR: 'AUTHENTICATION_ERROR',
  DEAD_LETTER_REFUSED: 'DEAD_LETTER_REFUSED',
  RECORD_TOO_LARGE: 'RECORD_TOO_LARGE',
  SCHEMA_REGISTRY_ERROR: 'SCHEMA_REGISTRY_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** The four categories a record's failure falls in, as the seeds' DLQ handler names them. */
export const FailureCategories = [
  ErrorCodes.DESERIALIZATION_ERROR,
  ErrorCodes.VALIDATION_ERROR,
  ErrorCodes.PROCESSING_ERROR,
  ErrorCodes.TIMEOUT_ERROR,
] as const;

export type FailureCategory = (typeof FailureCategories)[number];

export interface OrchestronErrorOptions {
  readonly cause?: unknown;
  /** Overrides the class default, e.g. a PROCESSING_ERROR known to be permanent. */
  readonly retryable?: boolean;
  /**
   * Whether to record a call stack. Defaults to true, except for the data errors (DESERIALIZATION_ERROR,
   * VALIDATION_ERROR), which describe a record rather than code; a stack costs about 10 µs per error in V8.
   */
  readonly captureStack?: boolean;
  /**
   * Why it failed without quoting the input, safe for logs that must not carry payloads (decode and validation
   * messages quote the record); e.g. `invalid JSON at position 9`, `invalid fields: amount, currency`.
   */
  readonly reason?: string;
}

/** V8 and JavaScriptCore read this before capturing a stack; other engines ignore it. */
type StackLimited = { stackTraceLimit?: number };

/**
 * Runs the synchronous `fn` with stack capture off, so errors made meanwhile carry none: for loops over data whose
 * failures describe records, not code. One switch per call, however many errors `fn` makes.
 */
export function withoutStacks<T>(fn: () => T): T {
  const restore = stacksOff();
  try {
    return fn();
  } finally {
    restore();
  }
}

/** Turns stack capture off; returns what turns it back on. The one place the engine's setting is touched. */
function stacksOff(): () => void {
  const engine = Error as StackLimited;
  const limit = engine.stackTraceLimit;
  if (limit === undefined) return () => {};
  engine.stackTraceLimit = 0;
  return () => {
    engine.stackTraceLimit = limit;
  };
}

/** The one base error: every error Orchestron raises or records has a stable `code` and says whether a retry can help. */
export class OrchestronError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** See OrchestronErrorOptions.reason; undefined when the message itself quotes no input or none was given. */
  readonly reason: string | undefined;

  constructor(code: ErrorCode, message: string, retryable: boolean, options: OrchestronErrorOptions = {}) {
    const restore = options.captureStack === false ? stacksOff() : undefined;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    restore?.();
    this.name = 'OrchestronError';
    this.code = code;
    this.retryable = options.retryable ?? retryable;
    this.reason = options.reason;
  }
}

/** Bytes that could not be turned into a value (bad JSON, invalid UTF-8, empty value). Never retried. */
export class DeserializationError extends OrchestronError {
  constructor(message: string, options?: OrchestronErrorOptions) {
    super(ErrorCodes.DESERIALIZATION_ERROR, message, false, { ...options, captureStack: options?.captureStack ?? false });
    this.name = 'DeserializationError';
  }
}

/** A value that breaks its schema or a business rule. Never retried. */
export class ValidationError extends OrchestronError {
  readonly issues: readonly string[];

  constructor(message: string, options?: OrchestronErrorOptions & { readonly issues?: readonly string[] }) {
    super(ErrorCodes.VALIDATION_ERROR, message, false, { ...options, captureStack: options?.captureStack ?? false });
    this.name = 'ValidationError';
    this.issues = options?.issues ?? [];
  }
}

/** A transient failure while processing; retried with backoff unless marked otherwise. */
export class ProcessingError extends OrchestronError {
  constructor(message: string, options?: OrchestronErrorOptions) {
    super(ErrorCodes.PROCESSING_ERROR, message, true, options);
    this.name = 'ProcessingError';
  }
}

/** An operation that ran past its deadline. Retried with backoff. */
export class TimeoutError extends OrchestronError {
  constructor(message: string, options?: OrchestronErrorOptions) {
    super(ErrorCodes.TIMEOUT_ERROR, message, true, options);
    this.name = 'TimeoutError';
  }
}

/** A call refused because the circuit breaker around a store is open. */
export class BreakerOpenError extends OrchestronError {
  readonly retryAfterMs: number;

  constructor(name: string, retryAfterMs: number) {
    super(ErrorCodes.BREAKER_OPEN, `circuit breaker "${name}" is open; retry in ${retryAfterMs} ms`, true);
    this.name = 'BreakerOpenError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** Invalid configuration: the message names the field and what is allowed. */
export class ConfigError extends OrchestronError {
  readonly field: string;

  constructor(field: string, message: string, options?: OrchestronErrorOptions) {
    super(ErrorCodes.CONFIG_ERROR, `${field}: ${message}`, false, options);
    this.name = 'ConfigError';
    this.field = field;
  }
}

/** A failure of a tracker or dedup store (connection lost, query failed). */
export class StoreError extends OrchestronError {
  constructor(message: string, options?: OrchestronErrorOptions) {
    super(ErrorCodes.STORE_ERROR, message, true, options);
    this.name = 'StoreError';
  }
}

/** A failure reading records from a source (a topic missing, the consumer group refused, offsets not committed). */
export class SourceError extends OrchestronError {
  constructor(message: string, options?: OrchestronErrorOptions) {
    super(ErrorCodes.SOURCE_ERROR, message, true, options);
    this.name = 'SourceError';
  }
}

/** A failure delivering records to a sink. */
export class SinkError extends OrchestronError {
  constructor(message: string, options?: OrchestronErrorOptions) {
    super(ErrorCodes.SINK_ERROR, message, true, options);
    this.name = 'SinkError';
  }
}

/**
 * The destination refused a record for what it is (too large for the topic, a null key for a compacted topic, an
 * invalid timestamp): sending the same record again cannot help. Atomic mode narrows a batch that fails this way down
 * to the records that cause it (see `FailurePolicy.isolatedRefusal` in failure-policy.ts).
 */
export class RecordRefusedError extends SinkError {
  constructor(message: string, options?: OrchestronErrorOptions) {
    super(message, { ...options, retryable: false });
    this.name = 'RecordRefusedError';
  }
}

/** Another instance took over this one's transactional identity: this instance must stop, it can commit nothing more. */
export class ProducerFencedError extends OrchestronError {
  constructor(message: string, options?: OrchestronErrorOptions) {
    super(ErrorCodes.PRODUCER_FENCED, message, false, options);
    this.name = 'ProducerFencedError';
  }
}

/**
 * Another live member of the consumer group holds this instance's group instance id (static membership): two processes
 * run with the same instance id. Retryable while the holder may be a crashed predecessor whose session has not expired.
 */
export class InstanceIdInUseError extends OrchestronError {
  constructor(message: string, options?: OrchestronErrorOptions) {
    super(ErrorCodes.INSTANCE_ID_IN_USE, message, options?.retryable ?? false, options);
    this.name = 'InstanceIdInUseError';
  }
}

/** A server refused this instance's credentials (a wrong SASL password, say): retrying with the same ones cannot help. */
export class AuthenticationError extends OrchestronError {
  constructor(message: string, options?: OrchestronErrorOptions) {
    super(ErrorCodes.AUTHENTICATION_ERROR, message, false, options);
    this.name = 'AuthenticationError';
  }
}

/**
 * A record larger than its destination topic accepts (Kafka's `max.message.bytes`). Never retried: the same bytes
 * stay too large until the topic's limit is raised. As a record's failure it is filed under PROCESSING_ERROR (the
 * record was valid and processed; the sink's limit refused it), so a replay after raising the limit can succeed.
 */
export class RecordTooLargeError extends OrchestronError {
  readonly topic: string;
  /** The record's size as the sink writes it (estimated from above), and the most the topic takes. */
  readonly bytes: number;
  readonly limitBytes: number;

  constructor(topic: string, bytes: number, limitBytes: number, options?: OrchestronErrorOptions) {
    super(
      ErrorCodes.RECORD_TOO_LARGE,
      `record of ${bytes} bytes is larger than topic ${topic} accepts (at most ${limitBytes} bytes per record)`,
      false,
      { ...options, captureStack: options?.captureStack ?? false },
    );
    this.name = 'RecordTooLargeError';
    this.topic = topic;
    this.bytes = bytes;
    this.limitBytes = limitBytes;
  }
}

/** A source partition: where a record came from. */
export interface SourcePartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * Dead letters the sink refused for good (the topic too small even for a truncated dead letter, an ACL, a missing
 * topic): retrying the batch cannot help, so the source stops handing out the `partitions` they came from until the
 * cause is fixed, rather than redelivering them in a loop.
 */
export class DeadLetterRefusedError extends OrchestronError {
  readonly partitions: readonly SourcePartition[];

  constructor(message: string, partitions: readonly SourcePartition[], options?: OrchestronErrorOptions) {
    super(ErrorCodes.DEAD_LETTER_REFUSED, message, false, options);
    this.name = 'DeadLetterRefusedError';
    this.partitions = partitions;
  }
}

export const isOrchestronError = (error: unknown): error is OrchestronError => error instanceof OrchestronError;

export const isFailureCategory = (code: string): code is FailureCategory =>
  (FailureCategories as readonly string[]).includes(code);

/** Anything thrown by user code becomes an OrchestronError: ours pass through, aborts become timeouts, the rest are retryable processing errors. */
export function toOrchestronError(error: unknown): OrchestronError {
  if (error instanceof OrchestronError) return error;
  // The wrapper's own stack would point here; the cause keeps the thrower's.
  if (isAbortTimeout(error)) return new TimeoutError(messageOf(error), { cause: error, captureStack: false });
  return new ProcessingError(messageOf(error), { cause: error, captureStack: false });
}

/** The failure category a record's error is filed under; toolkit errors (store, sink, breaker) count as processing errors. */
export function categoryOf(error: OrchestronError): FailureCategory {
  return isFailureCategory(error.code) ? error.code : ErrorCodes.PROCESSING_ERROR;
}

function isAbortTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TimeoutError';
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
