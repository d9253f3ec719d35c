import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isOrchestronError } from '../../core/index.ts';
import { frame, readMessageIndexes, unframe, writeMessageIndexes } from './wire.ts';

// The independent implementation: @kafkajs/confluent-schema-registry's own framing.
const require = createRequire(import.meta.url);
const kafkajsWire = require('@kafkajs/confluent-schema-registry/dist/wireEncoder') as { encode(id: number, payload: Buffer): Buffer };

const schemaIds = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const payloads = fc.uint8Array({ maxLength: 64 });

describe('the Confluent wire format', () => {
  it('frames as @kafkajs/confluent-schema-registry does, and reads its frames back', () => {
    fc.assert(
      fc.property(schemaIds, payloads, (id, payload) => {
        const ours = frame(id, payload);
        expect(Buffer.from(ours).equals(kafkajsWire.encode(id, Buffer.from(payload)))).toBe(true);
        const read = unframe(kafkajsWire.encode(id, Buffer.from(payload)));
        expect(read.schemaId).toBe(id);
        expect([...read.payload]).toEqual([...payload]);
      }),
    );
  });

  it('refuses any other magic byte, naming it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 255 }), schemaIds, payloads, (magic, id, payload) => {
        const bytes = frame(id, payload);
        bytes[0] = magic;
        expect(() => unframe(bytes)).toThrow(`magic byte ${magic} (expected 0)`);
      }),
    );
  });

  it('refuses values shorter than the header, and empty ones, as deserialization errors', () => {
    for (const bytes of [null, new Uint8Array(0), new Uint8Array([0, 0, 0, 1])]) {
      try {
        unframe(bytes);
        expect.unreachable();
      } catch (error) {
        expect(isOrchestronError(error) && error.code).toBe('DESERIALIZATION_ERROR');
      }
    }
  });

  it('writes the first message index as a single 0 and reads every index path back', () => {
    expect([...writeMessageIndexes([0])]).toEqual([0]);
    expect([...writeMessageIndexes([1])]).toEqual([2, 2]); // count 1, index 1, both zigzag
    expect([...writeMessageIndexes([1, 0])]).toEqual([4, 2, 0]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 20 }), { minLength: 1, maxLength: 6 }), payloads, (indexes, message) => {
        const prefix = writeMessageIndexes(indexes);
        const read = readMessageIndexes(Uint8Array.from([...prefix, ...message]));
        expect(read.indexes).toEqual(indexes);
        expect([...read.message]).toEqual([...message]);
      }),
    );
  });

  it('turns malformed message indexes into deserialization errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 12 }), (bytes) => {
        try {
          readMessageIndexes(bytes);
        } catch (error) {
          expect(isOrchestronError(error) && error.code).toBe('DESERIALIZATION_ERROR');
        }
      }),
    );
    expect(() => readMessageIndexes(new Uint8Array([0x80]))).toThrow('truncated');
    expect(() => readMessageIndexes(new Uint8Array([0x01]))).toThrow('invalid Protobuf message index count -1');
    expect(() => readMessageIndexes(new Uint8Array([0xfe, 0x01]))).toThrow('invalid Protobuf message index count 127');
  });
});
