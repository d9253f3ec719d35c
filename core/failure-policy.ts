import type { FailureMode } from './context.ts';
import type { Envelope } from './envelope.ts';
import type { OrchestronError } from './errors.ts';
import { RecordRefusedError } from './errors.ts';

/**
 * What a failure does to its batch: `fail-batch` fails the whole batch (`BatchControl.fail`: nothing commits, its
 * records come again with `attempts` + 1); `fail-record` drops the record as failed (`failRecord`), for a deadLetter
 * stage to send to the dead-letter topic, and the rest of the batch goes on.
 */
export type FailureAction = 'fail-batch' | 'fail-record';

/** What a failing dependency (a dedup store, the tracker, or its open breaker) does: fail the batch, or go on without it. */
export type DependencyFailureAction = 'fail-batch' | 'skip';

/**
 * When a stage's side effects (a dead-letter send's acknowledgement, the tracker's final writes) must be done: `in-stage`
 * awaits them in the stage, before the batch moves on; `before-commit` leaves them to `BatchControl.beforeCommit`, so
 * the next stages and batches run meanwhile, and a failure of theirs still fails the commit.
 */
export type SideEffectTiming = 'in-stage' | 'before-commit';

/**
 * How a batch overlaps the next ones while it commits: `transaction` — the next batches join its open transaction,
 * which commits once every batch in it reached the commit stage; `behind` — its commit runs behind the processing of
 * the next batches, each committing its offsets on its own (in order).
 */
export type Pipelining = 'transaction' | 'behind';

/**
 * What a stop (shutdown) does to a batch whose records wait for a retry's backoff: `commit-finished` — the waits end,
 * the batch commits up to each partition's first unfinished record and the records from there on are delivered again
 * (to the next owner); `drain` — the batch runs to its end, backoffs included, and commits whole.
 */
export type StopWhileRetrying = 'commit-finished' | 'drain';

/**
 * The rules of one failure mode, decided here once: stages, sinks and sources ask the pipeline context's
 * `failurePolicy` rather than comparing the mode themselves. docs/failure-modes.md's table is generated from it.
 */
export interface FailurePolicy {
  readonly mode: FailureMode;
  /** Deliveries after which a retryable failure of a record no longer fails its batch again (atomic). */
  readonly maxDeliveries: number;
  /**
   * A record that failed in a stage, after the stage's own retries. Atomic mode fails the batch on a retryable
   * failure, so the record comes again; a non-retryable failure, or one of a record already delivered `maxDeliveries`
   * times, fails the record alone, so poison cannot block its partition. Skip-and-log always fails the record alone.
   */
  recordFailure(record: Envelope<unknown>, error: OrchestronError): FailureAction;
  /**
   * A send to an output that failed after its retries. A retryable failure fails the batch in both modes (an output
   * that is down does not send records to the dead letter). A non-retryable one fails the batch in atomic mode,
   * unless it is a refusal of one record (RecordRefusedError, never retryable) that is alone in its batch and was
   * delivered `maxDeliveries` times (the source narrowed the batch down to it); skip-and-log fails the records.
   */
  sendFailure(records: readonly Envelope<unknown>[], error: OrchestronError): FailureAction;
  /**
   * Atomic mode: a batch that a destination refused because of a record (RecordRefusedError) is narrowed down by its
   * source until the record is alone (see adapters/kafka/narrowing.ts). Once it is alone and has been delivered
   * `maxDeliveries` times, its refusal fails the record (dead letter) rather than the batch again.
   */
  isolatedRefusal(records: readonly Envelope<unknown>[], error: OrchestronError): boolean;
  /** A dedup store or tracker call that failed, or was refused by its open breaker. */
  readonly dependencyFailure: DependencyFailureAction;
  /** When dead-letter acknowledgements and final tracker writes are awaited. */
  readonly sideEffects: SideEffectTiming;
  /** Output, dead letters and offsets commit in one transaction per batch (Kafka), or staged with the batch (memory). */
  readonly transactional: boolean;
  readonly pipelining: Pipelining;
  readonly stopWhileRetrying: StopWhileRetrying;
  /**
   * Whether failed records may wait in retry topics (see docs/retries.md): only when the record's offset is committed
   * once its retry record is acknowledged, outside a transaction — a retry consumer reads committed records only.
   */
  readonly retryTopics: boolean;
}

const atomic = (maxDeliveries: number): FailurePolicy => {
  const isolatedRefusal = (records: readonly Envelope<unknown>[], error: OrchestronError): boolean =>
    error instanceof RecordRefusedError && records.length === 1 && (records[0] as Envelope<unknown>).attempts >= maxDeliveries;
  return {
    mode: 'atomic',
    maxDeliveries,
    recordFailure: (record, error) => (error.retryable && record.attempts < maxDeliveries ? 'fail-batch' : 'fail-record'),
    sendFailure: (records, error) => (isolatedRefusal(records, error) ? 'fail-record' : 'fail-batch'),
    isolatedRefusal,
    dependencyFailure: 'fail-batch',
    // Awaited in the stage: a later stage failing the batch must not abort its transaction while a send is still in it.
    sideEffects: 'in-stage',
    transactional: true,
    pipelining: 'transaction',
    // A batch is one transaction, which the next batches join: it commits whole or not at all.
    stopWhileRetrying: 'drain',
    retryTopics: false,
  };
};

const skipAndLog = (maxDeliveries: number): FailurePolicy => ({
  mode: 'skip-and-log',
  maxDeliveries,
  recordFailure: () => 'fail-record',
  sendFailure: (_records, error) => (error.retryable ? 'fail-batch' : 'fail-record'),
  isolatedRefusal: () => false,
  dependencyFailure: 'skip',
  sideEffects: 'before-commit',
  transactional: false,
  pipelining: 'behind',
  stopWhileRetrying: 'commit-finished',
  retryTopics: true,
});

/** The policy of `mode`; `maxDeliveries` as in `PipelineContext`. */
export const failurePolicy = (mode: FailureMode, maxDeliveries: number): FailurePolicy =>
  mode === 'atomic' ? atomic(maxDeliveries) : skipAndLog(maxDeliveries);
