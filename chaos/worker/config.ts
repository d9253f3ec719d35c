import type { BreakerOptions, FailureMode, TrackerStrategy } from '../../core/index.ts';
import type { StoreName } from '../../adapters/registry/stores.ts';

/** The stores a drill can cut: every networked one. */
export type StoreKind = Exclude<StoreName, 'memory'>;

/** The failure tracker a chaos worker writes to, usually through a Toxiproxy proxy. */
export interface TrackerConfig {
  readonly store: StoreKind;
  readonly url: string;
  /** Postgres table, Redis key prefix or MongoDB collection: unique per test. */
  readonly name: string;
  readonly strategy: TrackerStrategy;
  /** The breaker guarding tracker calls; none when absent. */
  readonly breaker?: Omit<BreakerOptions, 'name'>;
  /** Deadline of one store call or connection attempt, so a cut store fails fast. Default 2000. */
  readonly timeoutMs?: number;
}

/** What a chaos worker runs: Kafka in → decode → transform → Kafka out, dead letters, optionally a tracker. */
export interface ChaosWorkerConfig {
  readonly brokers: readonly string[];
  readonly group: string;
  readonly input: string;
  readonly output: string;
  /** Where dead letters go; default `<input>-dlq`. */
  readonly deadLetterTopic?: string;
  readonly failureMode: FailureMode;
  /** Stable identity: the transactional id derives from it, so a restart with the same id fences its predecessor. */
  readonly instanceId: string;
  /** Written into every output record (`by`), to tell workers apart in the output. Default the instance id. */
  readonly label?: string;
  readonly batchSize?: number;
  /** The adapter's default when absent. */
  readonly lingerMs?: number;
  readonly commitIntervalMs?: number;
  /** Classic protocol only; default 6000. */
  readonly sessionTimeoutMs?: number;
  /** `classic` (default) or `consumer` (KIP-848), see KafkaOptions.groupProtocol. */
  readonly groupProtocol?: 'classic' | 'consumer';
  /** Static membership with the instance id; the adapter's default (on, the id being explicit) when absent. */
  readonly staticMembership?: boolean;
  /** How long a rebalance waits for members to rejoin; the adapter's default is 60 s. */
  readonly rebalanceTimeoutMs?: number;
  /** Most bytes one fetch returns, in all and per partition (small: aborted transactions span fetches); default the adapter's. */
  readonly fetchMaxBytes?: number;
  /** Milliseconds of simulated work per record. */
  readonly delayMs?: number;
  /** Records in flight per batch; the transform stage's default when absent. */
  readonly concurrency?: number;
  readonly sasl?: { readonly mechanism: 'PLAIN'; readonly username: string; readonly password: string };
  readonly tracker?: TrackerConfig;
}

/** A record of the chaos scenarios' input; `fail` makes the transform throw a non-retryable error. */
export interface ChaosEvent {
  readonly id: number;
  readonly seq: number;
  readonly fail?: boolean;
}

/** An output record: the input plus where it came from (`partition:offset`), who processed it, and when. */
export interface ChaosOutput extends ChaosEvent {
  readonly from: string;
  readonly by: string;
  readonly pid: number;
  readonly at: number;
}
