import type { Envelope } from './envelope.ts';
import type { OrchestronError } from './errors.ts';
import type { PipelineContext } from './context.ts';
import { partitionKey } from './source-kit/partition-key.ts';

/**
 * Why a record left the live set of its batch. Each still advances offsets. `retrying`: the dead-letter stage sent
 * it to a retry topic (see docs/retries.md) instead of the dead-letter topic.
 */
export type DropReason = 'deduplicated' | 'failed' | 'dead-lettered' | 'filtered' | 'retrying';

export interface DroppedRecord {
  readonly record: Envelope<unknown>;
  readonly reason: DropReason;
  readonly error?: OrchestronError;
  /** Epoch ms of the first and last failure, for failed and dead-lettered records. */
  readonly firstFailureAt?: number;
  readonly lastFailureAt?: number;
  /** Attempts the failing stage made (retries included), when it retried. */
  readonly attempts?: number;
  /** `retrying`: the retry topic the record was sent to, and its delay. */
  readonly retry?: { readonly topic: string; readonly delayMs: number };
}

/** Where a batch ends in a partition: the next offset to commit. */
export interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/**
 * What a source provides to settle a batch. The commit stage calls `commit` in batch order; at-least-once, a batch's
 * `commit` can be called while the one before is still committing, so a source keeps its commits in that order and
 * fails a later one when an earlier one failed (its batch is aborted and read again). The source kit
 * (core/source-kit: `offsetSettlement`, `OffsetCommits`, `Redeliveries`, `Rewinds`) implements it for sources that read
 * partitions in offset order; core/testing/source-contract.ts checks a source keeps it.
 */
export interface Settlement {
  /** Commit: offsets (and, in a transaction, produced records) become durable. */
  commit(control: BatchControl): Promise<void>;
  /** Give up: nothing is committed; the records are delivered again. */
  abort(control: BatchControl, error: OrchestronError): Promise<void>;
}

type Hook = () => Promise<void> | void;

/** State shared by every stage's view of one batch: identity, failure, hooks, the source's settlement. */
export class BatchControl {
  readonly id: number;
  readonly positions: readonly Position[];
  /** The pipeline's failure mode, platform and identity, set by the source. */
  readonly context: PipelineContext;
  /** Aborts when the batch fails (or when the optional `signal` given at construction aborts). Sources do not link shutdown to it: a shutdown drains the batch in flight. */
  readonly signal: AbortSignal;
  /**
   * The source's stop (shutdown), when it has one: not linked to `signal`, since a stop drains the batch; a stage may
   * still cut short what only waits (a retry's backoff) and commit the batch up to its first unfinished record (`limit`).
   */
  readonly stopping: AbortSignal | undefined;
  readonly #abort = new AbortController();
  readonly #settlement: Settlement;
  readonly #beforeCommit: Hook[] = [];
  readonly #afterCommit: Hook[] = [];
  readonly #afterAbort: Hook[] = [];
  #failure: OrchestronError | undefined;
  #settling: Promise<unknown> | undefined;
  #stage: string | undefined;
  /** Per partition, the next offset the batch commits at most (see `limit`). */
  #limits: Map<string, Position> | undefined;
  /** Data that adapters attach to a batch (a Kafka transaction, a buffer of staged records). */
  readonly attachments = new Map<symbol, unknown>();

  constructor(init: {
    readonly id: number;
    readonly positions: readonly Position[];
    readonly context: PipelineContext;
    readonly settlement: Settlement;
    readonly signal?: AbortSignal;
    readonly stopping?: AbortSignal;
  }) {
    this.id = init.id;
    this.positions = init.positions;
    this.context = init.context;
    this.#settlement = init.settlement;
    this.signal = init.signal ? AbortSignal.any([init.signal, this.#abort.signal]) : this.#abort.signal;
    this.stopping = init.stopping;
  }

  /**
   * Commits less than the whole batch: in each partition named, only the records before `offset` (the first record
   * not finished). The source commits up to there and delivers the records from there on again; the batch's stages
   * keep only the records before the cut (see `commits`). The lowest limit of a partition wins. At-least-once only:
   * the failure policy's `stopWhileRetrying` says when a stage may do it.
   */
  limit(cuts: readonly Position[]): void {
    this.#limits ??= new Map();
    for (const cut of cuts) {
      const key = partitionKey(cut.topic, cut.partition);
      const known = this.#limits.get(key);
      if (!known || cut.offset < known.offset) this.#limits.set(key, { topic: cut.topic, partition: cut.partition, offset: cut.offset });
    }
  }

  /** Whether `limit` cut the batch short. */
  get limited(): boolean {
    return this.#limits !== undefined;
  }

  /** The next offset to commit per partition: `positions`, each lowered to its limit. */
  get committing(): readonly Position[] {
    const limits = this.#limits;
    if (!limits) return this.positions;
    return this.positions.map((position) => {
      const cut = limits.get(partitionKey(position.topic, position.partition));
      return cut && cut.offset < position.offset ? cut : position;
    });
  }

  /** Whether the record at this offset commits with the batch (false from a partition's limit on). */
  commits(record: { readonly topic: string; readonly partition: number; readonly offset: bigint }): boolean {
    const cut = this.#limits?.get(partitionKey(record.topic, record.partition));
    return cut === undefined || record.offset < cut.offset;
  }

  get failure(): OrchestronError | undefined {
    return this.#failure;
  }

  /** The last stage that took this batch in hand: what a watchdog names when the batch stops moving. */
  get stage(): string | undefined {
    return this.#stage;
  }

  /** Notes that the stage `name` took the batch in hand (a field write: cheap enough for every stage). */
  reached(name: string): void {
    this.#stage = name;
  }

  /** Marks the whole batch failed (atomic mode): later stages pass it through and commit aborts it. The first failure wins. */
  fail(error: OrchestronError): void {
    if (this.#failure) return;
    this.#failure = error;
    this.#abort.abort(error);
  }

  /**
   * The commit stage's settling of this batch, once it has taken the batch (it may still wait for the batch before).
   * A source that stops when idle waits for these, since an aborted batch sends its records back to the source.
   */
  get settling(): Promise<unknown> | undefined {
    return this.#settling;
  }

  settleWith(settling: Promise<unknown>): void {
    this.#settling ??= settling;
  }

  /** Runs inside commit, before the source commits offsets (e.g. publish records staged in a transaction). */
  beforeCommit(hook: Hook): void {
    this.#beforeCommit.push(hook);
  }

  /** Runs once the batch is committed (e.g. remember dedup keys). */
  afterCommit(hook: Hook): void {
    this.#afterCommit.push(hook);
  }

  /** Runs once the batch is aborted (e.g. discard staged records). */
  afterAbort(hook: Hook): void {
    this.#afterAbort.push(hook);
  }

  /** Runs the hooks left for the commit, then the source's commit; `onIssued` is called once the source has it in hand. */
  async commit(onIssued?: () => void): Promise<void> {
    this.#stage = 'commit';
    for (const hook of this.#beforeCommit) await hook();
    const committing = this.#settlement.commit(this);
    onIssued?.();
    await committing;
    for (const hook of this.#afterCommit) await hook();
  }

  async abort(error: OrchestronError): Promise<void> {
    this.fail(error);
    try {
      await this.#settlement.abort(this, error);
    } finally {
      for (const hook of this.#afterAbort) await hook();
    }
  }
}

/** One fetch's worth of records moving through the stages: the live records plus those already filtered out. */
export class Batch<T> {
  readonly control: BatchControl;
  readonly records: readonly Envelope<T>[];
  readonly dropped: readonly DroppedRecord[];

  constructor(control: BatchControl, records: readonly Envelope<T>[], dropped: readonly DroppedRecord[] = []) {
    this.control = control;
    this.records = records;
    this.dropped = dropped;
  }

  get failure(): OrchestronError | undefined {
    return this.control.failure;
  }

  /** Every record the batch started with, live or dropped. */
  get size(): number {
    return this.records.length + this.dropped.length;
  }

  /** The next view of this batch: new live records, and more dropped ones appended. */
  next<U>(records: readonly Envelope<U>[], dropped: readonly DroppedRecord[] = []): Batch<U> {
    return new Batch(this.control, records, dropped.length === 0 ? this.dropped : [...this.dropped, ...dropped]);
  }

  /** The same view with some dropped records replaced (e.g. failed → dead-lettered). */
  withDropped(dropped: readonly DroppedRecord[]): Batch<T> {
    return new Batch(this.control, this.records, dropped);
  }
}
