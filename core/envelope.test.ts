import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText } from './envelope.ts';

describe('encodeText', () => {
  it('gives the bytes TextEncoder gives, for short ASCII (copied by hand) and everything else', () => {
    const reference = new TextEncoder();
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 300 })), (value) => {
        const bytes = encodeText(value);
        expect(bytes).toBeInstanceOf(Uint8Array);
        expect([...bytes]).toEqual([...reference.encode(value)]);
        expect(decodeText(bytes)).toBe(new TextDecoder().decode(reference.encode(value)));
      }),
    );
  });
});
