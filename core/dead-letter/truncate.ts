import type { OutboundRecord } from '../envelope.ts';
import { encodeText } from '../envelope.ts';
import { singleRecordBatchBytes } from '../record-size.ts';
import { DeadLetterHeaders } from './headers.ts';

const truncatedMark = encodeText('true');

/**
 * A dead letter that fits its topic's limit (`maxBytes`, as `singleRecordBatchBytes` counts): unchanged when it fits or
 * the limit is unknown; otherwise its value is cut to what fits, with `source_value_bytes` (the original size) and
 * `source_value_truncated: true` added. When even an empty value does not fit (headers or key too large), the
 * record keeps no value and stays too large: the sink refuses it, and the send fails visibly.
 */
export function truncateToFit(record: OutboundRecord, maxBytes: number | undefined): OutboundRecord {
  if (maxBytes === undefined || singleRecordBatchBytes(record) <= maxBytes) return record;
  const value = record.value ?? new Uint8Array(0);
  const headers = new Map(record.headers);
  headers.set(DeadLetterHeaders.sourceValueBytes, encodeText(String(value.byteLength)));
  headers.set(DeadLetterHeaders.sourceValueTruncated, truncatedMark);
  const withoutValue: OutboundRecord = { ...record, headers, value: new Uint8Array(0) };
  const room = maxBytes - singleRecordBatchBytes(withoutValue);
  if (room <= 0) return withoutValue;
  return { ...withoutValue, value: value.subarray(0, room) };
}
