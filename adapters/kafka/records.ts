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

export function toKafkaMessage(record: OutboundRecord): KafkaOutbound {
  const headers = new Map<string, Buffer>();
  if (record.headers) for (const [name, value] of record.headers) headers.set(name, asBuffer(value));
  return {
    topic: record.topic,
    ...(record.key !== null ? { key: asBuffer(record.key) } : {}),
    ...(record.value !== null ? { value: asBuffer(record.value) } : {}),
    headers,
    ...(record.partition !== undefined ? { partition: record.partition } : {}),
    ...(record.timestamp !== undefined ? { timestamp: BigInt(record.timestamp) } : {}),
  };
}
