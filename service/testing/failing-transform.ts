// A transform for CLI tests: records with `fail: true` fail for good (PROCESSING_ERROR, not retryable).
import { ProcessingError } from '../../core/index.ts';

export default function failing(value: { id: number; fail?: boolean }) {
  if (value.fail) throw new ProcessingError(`record ${value.id} cannot be processed`, { retryable: false });
  return value;
}
