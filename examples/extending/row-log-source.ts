import { Batch, BatchControl, OffsetCommits, Redeliveries, Rewinds, envelope, offsetSettlement, partitionRanges, redeliveryDelayMs, sleep } from '../../core/index.ts';
import type { PipelineContext } from '../../core/index.ts';

/** An append-only table of rows numbered from 0: what the example source reads (a file, a queue table, an API's feed). */
export class RowLog {
  readonly #rows: Uint8Array[] = [];

  append(values: readonly Uint8Array[]): void {
    this.#rows.push(...values);
  }

  read(from: bigint, max: number): Uint8Array[] {
    return this.#rows.slice(Number(from), Number(from) + max);
  }
}

/** Where the source keeps the number of the next row to read: any store, hence async (and it may fail). */
export interface Checkpoints {
  load(): Promise<bigint>;
  save(next: bigint): Promise<void>;
}

export interface RowLogSourceOptions {
  /** Names the records' topic (one partition, 0). */
  readonly name: string;
  readonly context: PipelineContext;
  readonly batchSize?: number;
  /** How long to wait before looking again when every row was read. */
  readonly pollMs?: number;
  /** Stops reading; the batch in flight still settles. */
  readonly signal?: AbortSignal;
}

/**
 * A source of your own, on the source kit: batches of rows from the checkpoint on. A commit saves the checkpoint
 * (through OffsetCommits: in order, one save at a time, and a failed save fails the batches queued behind it); an
 * abort has the source read again from the checkpoint, after an open breaker's wait, with the rows' attempts raised.
 */
export async function* rowLogSource(log: RowLog, checkpoints: Checkpoints, options: RowLogSourceOptions): AsyncGenerator<Batch<Uint8Array | null>> {
  const { name, context, signal } = options;
  const { clock } = context.platform;
  const rewinds = new Rewinds();
  const redeliveries = new Redeliveries();
  const commits = new OffsetCommits(async (positions) => {
    for (const position of positions) await checkpoints.save(position.offset);
  });
  let position = await checkpoints.load();
  // Set by an abort, acted on before the next read: a read never starts from a position an abort made wrong.
  let rewind = false;
  let waitMs = 0;
  let nextId = 1;
  while (!signal?.aborted) {
    if (rewind) {
      rewind = false;
      // Batches committed before the abort keep their progress; the checkpoint is where reading starts again.
      await commits.flush();
      position = await checkpoints.load();
      if (waitMs > 0) await sleep(clock, waitMs, signal).catch(() => {});
      continue;
    }
    const rows = log.read(position, options.batchSize ?? 100);
    if (rows.length === 0) {
      await sleep(clock, options.pollMs ?? 100, signal).catch(() => {});
      continue;
    }
    const from = position;
    position += BigInt(rows.length);
    const enteredAt = clock.monotonic();
    const records = rows.map((value, i) => {
      const offset = from + BigInt(i);
      return envelope({ topic: name, partition: 0, offset, key: null, value, attempts: redeliveries.attempts(name, 0, offset) }, enteredAt);
    });
    const settlement = offsetSettlement({
      rewinds,
      readAt: rewinds.count,
      redeliveries,
      ranges: partitionRanges(records).ranges,
      // `committing`: the batch's positions, lowered where a stage cut it short (BatchControl.limit).
      commit: (control) => commits.commit(control.committing),
      rewind: (_control, error) => {
        rewind = true;
        waitMs = redeliveryDelayMs(error);
      },
      // A batch cut short: read again from the checkpoint, which its commit moves to the cut.
      reread: () => {
        rewind = true;
        waitMs = 0;
      },
    });
    // `stopping`: stages may cut a retry's backoff short on a stop and commit what finished.
    const control = new BatchControl({ id: nextId++, positions: [{ topic: name, partition: 0, offset: position }], context, settlement, stopping: signal });
    yield new Batch(control, records);
  }
}
