import { recordFields } from '../../core/index.ts';
import type { BatchStage, Logger } from '../../core/index.ts';
import { batchStage } from '../../core/index.ts';
import { decodeForLog } from './transport.ts';

/** A line per record once its batch commits (`log.records`), with the raw payload only when `log.payloads` asks. */
export function recordLog<T>(logger: Logger, payloads: boolean): BatchStage<T, T> {
  return batchStage((batch) => {
    const records = batch.records;
    batch.control.afterCommit(() => {
      for (const record of records) {
        // Past a cut (BatchControl.limit) the record is not committed: it comes again.
        if (!batch.control.commits(record)) continue;
        logger.info(payloads ? { ...recordFields(record), payload: decodeForLog(record.raw) } : recordFields(record), 'record committed');
      }
    });
    return batch;
  });
}
