import type { Headers } from './envelope.ts';

/** The parts of a record that count towards its size on the wire. */
export interface SizedRecord {
  readonly key?: Uint8Array | null;
  readonly value?: Uint8Array | null;
  readonly headers?: Headers;
}

/**
 * Bytes of a Kafka record batch (format v2) besides its records: base offset 8, length 4, leader epoch 4, magic 1,
 * CRC 4, attributes 2, last offset delta 4, first and max timestamps 16, producer id 8, epoch 2, base sequence 4,
 * record count 4. The broker compares the whole batch, this included, with the topic's `max.message.bytes`.
 */
export const recordBatchOverheadBytes = 61;

/**
 * Bytes of one record besides its key, value and headers, at most: length (varint, 5), attributes 1, timestamp delta
 * (varlong, 10), offset delta 5, key and value lengths 5 each, header count 5. Real records take 7 to 36 of these.
 */
export const recordOverheadBytes = 36;

/** Bytes of one header besides its name and value, at most: the two length varints. */
export const headerOverheadBytes = 10;

/** UTF-8 length of `text` without encoding it. Lone surrogates count 3 bytes, as TextEncoder writes U+FFFD. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 4 bytes for 2 UTF-16 units
      i += 1;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * A record's size as a Kafka broker counts it inside a record batch, estimated from above: the exact bytes of key,
 * value and headers plus the largest varint overheads, so never less than the real size and at most 29 bytes more per
 * record and 8 more per header (a 1 KB record with no headers is counted ~3 % large).
 * Compression is not counted: a compressed batch is usually smaller, so the estimate stays on the safe side.
 */
export function recordBytes(record: SizedRecord): number {
  let bytes = recordOverheadBytes + (record.key?.byteLength ?? 0) + (record.value?.byteLength ?? 0);
  if (record.headers) for (const [name, value] of record.headers) bytes += headerOverheadBytes + utf8Length(name) + value.byteLength;
  return bytes;
}

/** The size of a record batch holding only `record`: what one record needs of a topic's limit. */
export const singleRecordBatchBytes = (record: SizedRecord): number => recordBatchOverheadBytes + recordBytes(record);
