import type { Position, Settlement } from '../batch.ts';
import { Batch, BatchControl } from '../batch.ts';
import type { PipelineContext } from '../context.ts';
import type { Envelope } from '../envelope.ts';
import { envelope } from '../envelope.ts';
import { sleep } from '../platform.ts';
import { offsetSettlement } from '../source-kit/offset-settlement.ts';
import { Redeliveries, partitionRanges } from '../source-kit/redeliveries.ts';
import { redeliveryDelayMs } from '../source-kit/redelivery-delay.ts';
import { Rewinds } from '../source-kit/rewinds.ts';
import { traceReceived } from '../tracing/batch-spans.ts';
import type { MemoryBroker, StoredRecord } from './broker.ts';

export interface MemorySourceOptions {
  readonly topics: readonly string[];
  readonly group: string;
  readonly context: PipelineContext;
  /** Most records in one batch. */
  readonly batchSize?: number;
  /** End the stream once every partition is caught up, instead of waiting for more. */
  readonly stopWhenIdle?: boolean;
  /** Stops fetching; the batch in flight still settles (its stages see it as `BatchControl.stopping`). */
  readonly signal?: AbortSignal;
  /** Identity of a record; default topic-partition-offset. */
  readonly dedupKey?: (record: StoredRecord) => string;
  /** Wait before redelivering an aborted batch (longer when a breaker asks for it). */
  readonly redeliveryDelayMs?: number;
}

interface PartitionCursor {
  readonly topic: string;
  readonly partition: number;
  position: bigint;
  /** Aborted batches that sent this partition back: batches read before then must not commit. */
  readonly rewinds: Rewinds;
}

/**
 * A consumer-group source over the in-memory broker: batches of up to `batchSize` records from one partition at a
 * time, round-robin, starting at the group's committed offsets. Commit moves the committed offsets; abort rewinds
 * so the records are delivered again, with their attempt count raised.
 */
export async function* memorySource(broker: MemoryBroker, options: MemorySourceOptions): AsyncGenerator<Batch<Uint8Array | null>> {
  const { context, group, signal } = options;
  const batchSize = options.batchSize ?? 500;
  const { clock } = context.platform;
  const cursors: PartitionCursor[] = options.topics.flatMap((topic) => {
    broker.createTopic(topic);
    return Array.from({ length: broker.partitions(topic) }, (_, partition) => ({
      topic,
      partition,
      position: broker.committed(group, topic, partition),
      rewinds: new Rewinds(),
    }));
  });
  const redeliveries = new Redeliveries();
  let redeliveryWait = 0;
  let lastHandedOut: BatchControl | undefined;
  let nextId = 1;
  let turn = 0;

  // Pipelined (at-least-once) batches: one read before its partition rewound holds records that come again.
  const settlement = (cursor: PartitionCursor, first: bigint, records: readonly StoredRecord[]): Settlement =>
    offsetSettlement({
      rewinds: cursor.rewinds,
      readAt: cursor.rewinds.count,
      redeliveries,
      ranges: partitionRanges(records).ranges,
      // The broker's commit is synchronous and cannot fail: in order as the commit stage calls it, no queue needed.
      commit: async (control) => broker.commit(group, control.committing),
      reread(control) {
        const cut = control.committing[0]?.offset;
        if (cut !== undefined && cut < cursor.position) cursor.position = cut;
      },
      rewind(_control, error) {
        cursor.position = first;
        redeliveryWait = redeliveryDelayMs(error, options.redeliveryDelayMs);
      },
    });

  while (!signal?.aborted) {
    if (redeliveryWait > 0) {
      const wait = redeliveryWait;
      redeliveryWait = 0;
      try {
        await sleep(clock, wait, signal);
      } catch {
        return;
      }
    }
    const cursor = nextCursor(cursors, turn, (c) => c.position < broker.endOffset(c.topic, c.partition));
    if (!cursor) {
      if (options.stopWhenIdle) {
        // Idle, but a batch still settling may be aborted and send records back: wait for the last one handed out
        // (batches settle in order, so that is all of them), unless no commit stage took it.
        const settling = lastHandedOut?.settling;
        lastHandedOut = undefined;
        if (!settling) return;
        await settling.catch(() => {});
        continue;
      }
      if (!(await appended(broker, signal))) return;
      continue;
    }
    turn = cursors.indexOf(cursor) + 1;
    const stored = broker.read(cursor.topic, cursor.partition, cursor.position, batchSize);
    const first = cursor.position;
    cursor.position += BigInt(stored.length);
    const enteredAt = clock.monotonic();
    const records: Envelope[] = stored.map((record) =>
      envelope(
        {
          ...record,
          dedupKey: options.dedupKey?.(record),
          attempts: redeliveries.attempts(record.topic, record.partition, record.offset),
        },
        enteredAt,
      ),
    );
    const positions: Position[] = [{ topic: cursor.topic, partition: cursor.partition, offset: cursor.position }];
    const control = new BatchControl({
      id: nextId++,
      positions,
      context,
      settlement: settlement(cursor, first, stored),
      stopping: signal,
    });
    lastHandedOut = control;
    traceReceived(control, records);
    yield new Batch(control, records);
  }
}

function nextCursor<C>(cursors: readonly C[], start: number, ready: (cursor: C) => boolean): C | undefined {
  for (let i = 0; i < cursors.length; i++) {
    const cursor = cursors[(start + i) % cursors.length] as C;
    if (ready(cursor)) return cursor;
  }
  return undefined;
}

/** Resolves true on the next append, false if the signal aborts first. */
function appended(broker: MemoryBroker, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (result: boolean) => {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onAbort = () => done(false);
    const unsubscribe = broker.onAppend(() => done(true));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
