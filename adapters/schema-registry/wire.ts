import { DeserializationError } from '../../core/index.ts';

/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the payload. Protobuf
 * payloads start with the message indexes (see `readMessageIndexes`). Web-standard APIs only.
 */
export const magicByte = 0;
export const headerBytes = 5;

export interface Framed {
  readonly schemaId: number;
  /** The bytes after the 5-byte header (for Protobuf: message indexes, then the message). */
  readonly payload: Uint8Array;
}

/** Splits a value into schema id and payload; a value not in the wire format is a DeserializationError. */
export function unframe(bytes: Uint8Array | null): Framed {
  if (bytes === null || bytes.byteLength === 0) {
    const empty = bytes === null ? 'empty value (null)' : 'empty value (0 bytes)';
    throw new DeserializationError(empty, { reason: empty });
  }
  if (bytes[0] !== magicByte) {
    const message = `not in the Schema Registry wire format: magic byte ${bytes[0]} (expected ${magicByte})`;
    throw new DeserializationError(message, { reason: message });
  }
  if (bytes.byteLength < headerBytes) {
    const message = `not in the Schema Registry wire format: ${bytes.byteLength} bytes, shorter than the 5-byte header`;
    throw new DeserializationError(message, { reason: message });
  }
  const schemaId = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(1);
  return { schemaId, payload: bytes.subarray(headerBytes) };
}

/** Header (magic byte, schema id), optional message-index prefix, payload: one allocation. */
export function frame(schemaId: number, payload: Uint8Array, prefix?: Uint8Array): Uint8Array {
  const prefixBytes = prefix?.byteLength ?? 0;
  const out = new Uint8Array(headerBytes + prefixBytes + payload.byteLength);
  out[0] = magicByte;
  new DataView(out.buffer).setInt32(1, schemaId);
  if (prefix) out.set(prefix, headerBytes);
  out.set(payload, headerBytes + prefixBytes);
  return out;
}

const zigzag = (n: number): number => (n << 1) ^ (n >> 31);
const unzigzag = (n: number): number => (n >>> 1) ^ -(n & 1);

function writeVarint(out: number[], value: number): void {
  let v = zigzag(value) >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/** The most message indexes a payload may claim: far beyond any real nesting, it bounds what bad bytes cost. */
const maxIndexes = 100;

/**
 * Protobuf's message indexes: the path from the schema file's top-level messages to the payload's message type, as
 * a zigzag-varint count and zigzag-varint indexes; the first message ([0]) is written as a single 0 byte.
 */
export function writeMessageIndexes(indexes: readonly number[]): Uint8Array {
  if (indexes.length === 1 && indexes[0] === 0) return new Uint8Array([0]);
  const out: number[] = [];
  writeVarint(out, indexes.length);
  for (const index of indexes) writeVarint(out, index);
  return new Uint8Array(out);
}

/** Reads the message indexes at the start of a Protobuf payload; returns them and the message bytes after them. */
export function readMessageIndexes(payload: Uint8Array): { readonly indexes: number[]; readonly message: Uint8Array } {
  let at = 0;
  const read = (): number => {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= payload.byteLength) throw new DeserializationError('truncated Protobuf message indexes', { reason: 'truncated Protobuf message indexes' });
      const byte = payload[at++] as number;
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return unzigzag(result >>> 0);
    }
    throw new DeserializationError('malformed varint in the Protobuf message indexes', { reason: 'malformed Protobuf message indexes' });
  };
  const count = read();
  if (count === 0) return { indexes: [0], message: payload.subarray(at) };
  if (count < 0 || count > maxIndexes) {
    const message = `invalid Protobuf message index count ${count}`;
    throw new DeserializationError(message, { reason: message });
  }
  const indexes: number[] = [];
  for (let i = 0; i < count; i++) indexes.push(read());
  return { indexes, message: payload.subarray(at) };
}
