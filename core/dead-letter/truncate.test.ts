import { describe, expect, it } from 'vitest';
import { encodeText } from '../envelope.ts';
import { singleRecordBatchBytes } from '../record-size.ts';
import { record, text } from '../testing/fixtures.ts';
import { DeadLetterHeaders } from './headers.ts';
import { truncateToFit } from './truncate.ts';

describe('truncateToFit', () => {
  const letter = record('orders-dlq', 'k', 'v'.repeat(5_000), new Map([['trace', encodeText('t-1')]]));

  it('leaves a dead letter that fits, or whose topic has no known limit, as it is', () => {
    expect(truncateToFit(letter, undefined)).toBe(letter);
    expect(truncateToFit(letter, singleRecordBatchBytes(letter))).toBe(letter);
  });

  it('cuts the value to fit exactly, saying so with the original size', () => {
    const limit = 2_000;
    const cut = truncateToFit(letter, limit);
    expect(singleRecordBatchBytes(cut)).toBe(limit);
    expect(text(cut.value)).toBe('v'.repeat(cut.value?.byteLength ?? 0));
    expect(cut.value?.byteLength).toBeGreaterThan(1_800);
    expect(text(cut.headers?.get(DeadLetterHeaders.sourceValueBytes))).toBe('5000');
    expect(text(cut.headers?.get(DeadLetterHeaders.sourceValueTruncated))).toBe('true');
    expect(text(cut.headers?.get('trace'))).toBe('t-1');
    expect(text(cut.key)).toBe('k');
  });

  it('keeps no value when even an empty one does not fit, and stays too large for the sink to refuse', () => {
    const cut = truncateToFit(letter, 60);
    expect(cut.value?.byteLength).toBe(0);
    expect(singleRecordBatchBytes(cut)).toBeGreaterThan(60);
    expect(text(cut.headers?.get(DeadLetterHeaders.sourceValueTruncated))).toBe('true');
  });
});
