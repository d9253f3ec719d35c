import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KafkaMessage } from './records.ts';
import { SourceStream } from './source-stream.ts';
import type { SourceStreamDeps } from './source-stream.ts';

const message = (topic: string, partition: number, offset: bigint) => ({ topic, partition, offset }) as KafkaMessage;

describe('SourceStream.notYetHandedOut', () => {
  it('hands each offset of a partition out once within a stream, whatever the interleaving of partitions', () => {
    const anyMessage = fc.record({ topic: fc.constantFrom('a', 'b'), partition: fc.integer({ min: 0, max: 2 }), offset: fc.bigInt({ min: 0n, max: 30n }) });
    fc.assert(
      fc.property(fc.array(fc.array(anyMessage, { maxLength: 30 }), { maxLength: 4 }), (reads) => {
        // Only the handed-out bookkeeping is exercised: no stream is opened.
        const stream = new SourceStream({} as SourceStreamDeps);
        const next = new Map<string, bigint>();
        for (const read of reads) {
          const messages = read.map((m) => message(m.topic, m.partition, m.offset));
          const expected = messages.filter((m) => {
            const key = `${m.topic}/${m.partition}`;
            if (m.offset < (next.get(key) ?? -1n)) return false;
            next.set(key, m.offset + 1n);
            return true;
          });
          expect(stream.notYetHandedOut(messages)).toEqual(expected);
        }
      }),
    );
  });
});
