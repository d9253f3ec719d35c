import { checkOneOf, checkWholeNumber } from './checks.ts';
import type { FailurePolicy } from './failure-policy.ts';
import { failurePolicy } from './failure-policy.ts';
import type { Platform } from './platform.ts';
import { platformOf } from './platform.ts';

/**
 * How failures are handled, as in the seeds:
 * - `atomic`: a batch commits or aborts as a whole (exactly-once with Kafka transactions); non-retryable records are
 *   dead-lettered so a poison pill cannot block a partition.
 * - `skip-and-log`: each record is retried, then dead-lettered and tracked FAILED; offsets keep moving.
 */
export const FailureModes = ['atomic', 'skip-and-log'] as const;
export type FailureMode = (typeof FailureModes)[number];

/** What every batch of one pipeline shares; the source stamps it on each batch. */
export interface PipelineContext {
  readonly failureMode: FailureMode;
  /** What the failure mode decides (a record's failure, a store's, when side effects settle): stages ask it. */
  readonly failurePolicy: FailurePolicy;
  readonly platform: Platform;
  /** Consumer group and host, for dead-letter headers and logs. */
  readonly consumerGroup: string;
  readonly host: string;
  /**
   * Atomic mode: after this many deliveries of a record, a retryable failure of it is dead-lettered instead of
   * aborting its batch again, so one bad record cannot stall a partition forever.
   */
  readonly maxDeliveries: number;
  /** Whether log lines may carry record contents (error messages quoting the input). Default false. */
  readonly logPayloads: boolean;
}

export interface PipelineContextOptions {
  readonly failureMode?: FailureMode;
  readonly platform?: Partial<Platform>;
  readonly consumerGroup?: string;
  readonly host?: string;
  readonly maxDeliveries?: number;
  readonly logPayloads?: boolean;
}

/** The defaults of PipelineContextOptions (the service's config schema shows and applies these). */
export const contextDefaults = { failureMode: 'atomic', maxDeliveries: 5, logPayloads: false } as const;

export function pipelineContext(options: PipelineContextOptions = {}): PipelineContext {
  const failureMode = checkOneOf('failureMode', options.failureMode ?? contextDefaults.failureMode, FailureModes);
  const maxDeliveries = checkWholeNumber('maxDeliveries', options.maxDeliveries ?? contextDefaults.maxDeliveries);
  return {
    failureMode,
    failurePolicy: failurePolicy(failureMode, maxDeliveries),
    platform: platformOf(options.platform),
    consumerGroup: options.consumerGroup ?? 'orchestron',
    host: options.host ?? 'localhost',
    maxDeliveries,
    logPayloads: options.logPayloads ?? contextDefaults.logPayloads,
  };
}
