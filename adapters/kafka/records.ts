import type { Message, MessageToProduce } from '@platformatic/kafka';
import type { Headers, OutboundRecord, RecordInit } from '../../core/index.ts';

export type KafkaMessage = Message<Buffer, Buffer, string, Buffer>;
export type KafkaOutbound = MessageToProduce<Buffer, Buffer, string, Buffer>;

/** A Buffer view over the same bytes: no copy. */
export const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function toRecordInit(message: KafkaMessage): RecordInit {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: message.headers as Headers,
    timestamp: Number(message.timestamp),
  };
}

const noHeaders: ReadonlyMap<string, Buffer> = new Map();

/** The record's headers as the client takes them: the same map when its values are Buffers already (consumed ones are). */
function kafkaHeaders(headers: OutboundRecord['headers']): Map<string, Buffer> {
  if (headers === undefined || headers.size === 0) return noHeaders as Map<string, Buffer>;
  for (const value of headers.values()) {
    if (!Buffer.isBuffer(value)) return new Map(Array.from(headers, ([name, bytes]) => [name, asBuffer(bytes)]));
  }
  return headers as Map<string, Buffer>;
}

/** One object shape for every record (fields the record lacks are undefined, which the client reads as absent). */
export function toKafkaMessage(record: OutboundRecord): KafkaOutbound {
  return {
    topic: record.topic,
    key: record.key === null ? undefined : asBuffer(record.key),
    value: record.value === null ? undefined : asBuffer(record.value),
    headers: kafkaHeaders(record.headers),
    partition: record.partition,
    timestamp: record.timestamp === undefined ? undefined : BigInt(record.timestamp),
  };
}
