import { messageOf } from '../../core/index.ts';
import type { Logger } from '../../core/index.ts';
import type { ReplayOptions, ReplaySummary } from '../../adapters/kafka/index.ts';
import type { AuditEntry, AuditTrail } from './audit.ts';
import { entryId } from './dead-letter-entry.ts';
import type { DeadLetterIndex } from './dead-letter-index.ts';
import type { DeadLetterFilter } from './filters.ts';
import { matches } from './filters.ts';
import { randomToken } from './secret-compare.ts';
import { fromRanges, toRanges } from './selection-ranges.ts';

export interface ReplayRequest {
  readonly user: string;
  readonly filter: DeadLetterFilter;
  readonly ratePerSecond: number;
  readonly maxReplays: number;
  /** Select the dead letters a finished replay of this console took already too (left out by default). */
  readonly includeReplayed?: boolean;
}

export interface ReplayJob extends ReplayRequest {
  readonly id: string;
  /** Dead letters in the selection when the job started. */
  readonly selected: number;
  readonly startedAt: number;
  endedAt?: number;
  state: 'running' | 'finished' | 'failed' | 'stopped';
  progress: ReplaySummary;
  error?: string;
}

/** What runs a job: `replay()` with the console's Kafka settings. */
export type ReplayRunner = (options: Omit<ReplayOptions, 'brokers' | 'sasl' | 'tls' | 'client'>) => Promise<ReplaySummary>;

export interface ReplayJobsDeps {
  readonly dlqTopic: string;
  readonly index: DeadLetterIndex;
  readonly run: ReplayRunner;
  readonly audit?: AuditTrail;
  readonly logger: Logger;
}

export class ReplayBusyError extends Error {}

const emptySummary: ReplaySummary = { read: 0, replayed: 0, parked: 0, skipped: 0, byCategory: {} };

/**
 * Bulk replays started from the console, one at a time: each is `replay()` over the dead-letter topic restricted to
 * the dead letters the filter selected when it started, under a consumer group of its own (the `replay` command's
 * group is left where it is). Start and end go to the audit trail.
 */
export class ReplayJobs {
  readonly #jobs: ReplayJob[] = [];
  readonly #stops = new Map<string, AbortController>();
  readonly #running = new Set<Promise<void>>();
  /** Dead letters (by entry id) that a finished job took, replayed or parked: the job's id. */
  readonly #taken = new Map<string, string>();
  readonly deps: ReplayJobsDeps;

  /** Selections of replays read back from the audit trail, by job id, until their end is read. */
  readonly #started = new Map<string, readonly string[]>();

  constructor(deps: ReplayJobsDeps) {
    this.deps = deps;
    // Earlier runs' finished replays mark what they took, as this run's do.
    deps.audit?.follow((entry) => this.#remember(entry));
  }

  #remember(entry: AuditEntry): void {
    if (entry.dlqTopic !== this.deps.dlqTopic) return;
    if (entry.action === 'replay-started') this.#started.set(entry.job, fromRanges(entry.details.selection));
    else {
      const ids = this.#started.get(entry.job);
      this.#started.delete(entry.job);
      if (ids && entry.action === 'replay-finished' && entry.details.state === 'finished') for (const id of ids) this.#taken.set(id, entry.job);
    }
  }

  start(request: ReplayRequest): ReplayJob {
    if (this.#jobs.some((job) => job.state === 'running')) throw new ReplayBusyError('a replay is running; wait for it to finish or stop it');
    const { dlqTopic, index, run, audit, logger } = this.deps;
    const ids = new Set(
      index
        .all()
        .filter((entry) => matches(entry, request.filter))
        .map(entryId)
        .filter((id) => request.includeReplayed === true || !this.#taken.has(id)),
    );
    const job: ReplayJob = { ...request, id: randomToken(6), selected: ids.size, startedAt: Date.now(), state: 'running', progress: emptySummary };
    this.#jobs.unshift(job);
    const stop = new AbortController();
    this.#stops.set(job.id, stop);
    const trail = (action: 'replay-started' | 'replay-finished' | 'replay-failed', details: Record<string, unknown>) =>
      audit?.record({ at: new Date().toISOString(), user: job.user, action, job: job.id, dlqTopic, details }).catch((error: unknown) => {
        logger.error({ error: messageOf(error), job: job.id, action }, 'console could not write the audit trail');
      });
    const work = (async () => {
      await trail('replay-started', { filter: job.filter, selected: job.selected, ratePerSecond: job.ratePerSecond, maxReplays: job.maxReplays, selection: toRanges(ids) });
      try {
        job.progress = await run({
          dlqTopic,
          groupId: `orchestron-console-replay-${dlqTopic}-${job.id}`,
          select: (message) => ids.has(entryId(message)),
          ratePerSecond: job.ratePerSecond,
          maxReplays: job.maxReplays,
          signal: stop.signal,
          logger,
          onProgress: (summary) => (job.progress = summary),
        });
        job.state = stop.signal.aborted ? 'stopped' : 'finished';
        // A stopped job took an unknown part of its selection: only a finished one marks what it took.
        if (job.state === 'finished') for (const id of ids) this.#taken.set(id, job.id);
        await trail('replay-finished', { state: job.state, ...job.progress });
      } catch (error) {
        job.state = 'failed';
        job.error = messageOf(error);
        await trail('replay-failed', { error: job.error, ...job.progress });
      } finally {
        job.endedAt = Date.now();
        this.#stops.delete(job.id);
      }
    })();
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work));
    return job;
  }

  /** The finished job of this console that took the dead letter `id` (replayed or parked it), if any. */
  takenBy(id: string): string | undefined {
    return this.#taken.get(id);
  }

  get(id: string): ReplayJob | undefined {
    return this.#jobs.find((job) => job.id === id);
  }

  /** Newest first. */
  list(): readonly ReplayJob[] {
    return this.#jobs;
  }

  stop(id: string): void {
    this.#stops.get(id)?.abort();
  }

  async close(): Promise<void> {
    for (const stop of this.#stops.values()) stop.abort();
    await Promise.allSettled([...this.#running]);
  }
}
