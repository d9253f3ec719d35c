import type { Batch, DropReason } from '../batch.ts';
import type { OrchestronError } from '../errors.ts';
import { toOrchestronError } from '../errors.ts';
import type { Stage } from '../stage.ts';

/** What happened to one batch, as the last stage reports it. */
export interface BatchResult {
  readonly id: number;
  readonly committed: boolean;
  /** Records processed and committed (0 when the batch was aborted). */
  readonly ok: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Why the batch was aborted. */
  readonly error?: OrchestronError;
}

const countDrops = (batch: Batch<unknown>): Record<DropReason, number> => {
  const counts: Record<DropReason, number> = { deduplicated: 0, failed: 0, 'dead-lettered': 0, filtered: 0 };
  for (const drop of batch.dropped) counts[drop.reason]++;
  return counts;
};

/**
 * The last stage: commits each batch that went through (offsets, and the transaction in atomic mode) or aborts a
 * failed one so its records come again. Batches settle strictly in order, so a commit never passes unfinished work.
 */
export function commit<T>(): Stage<Batch<T>, BatchResult> {
  return async function* (input) {
    for await (const batch of input) {
      const control = batch.control;
      const { metrics, logger, clock } = control.context.platform;
      let error = batch.failure;
      if (!error) {
        try {
          await control.commit();
        } catch (thrown) {
          error = toOrchestronError(thrown);
        }
      }
      if (error) {
        await control.abort(error);
        metrics.batchFailed.inc({});
        logger.warn({ batch: control.id, records: batch.size, error: error.message, code: error.code }, 'batch aborted');
        yield { id: control.id, committed: false, ok: 0, dropped: countDrops(batch), error };
        continue;
      }
      const now = clock.monotonic();
      metrics.batchOk.inc({});
      const perTopic = new Map<string, number>();
      let oldest = now;
      for (const record of batch.records) {
        perTopic.set(record.topic, (perTopic.get(record.topic) ?? 0) + 1);
        if (record.enteredAt < oldest) oldest = record.enteredAt;
      }
      for (const [topic, count] of perTopic) metrics.recordsOk.inc({ topic }, count);
      // One observation per batch: its records enter together, and a per-record observe cost more than the rest of commit.
      if (batch.records.length > 0) metrics.endToEndLatency.observe({}, (now - oldest) / 1000);
      yield { id: control.id, committed: true, ok: batch.records.length, dropped: countDrops(batch) };
    }
  };
}
