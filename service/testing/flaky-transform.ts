// A transform for retry-topic tests: a record `{ id, failTimes }` fails with a retryable PROCESSING_ERROR on its first
// `failTimes` deliveries (the record's attempts, which count the retry topics' deliveries too).
import { ProcessingError } from '../../core/index.ts';

export default function flaky(value: { id: number; failTimes?: number }, record: { attempts: number }) {
  if (record.attempts <= (value.failTimes ?? 0)) throw new ProcessingError(`record ${value.id} fails on attempt ${record.attempts}`, { retryable: true });
  return value;
}
