import { describe, expect, it } from 'vitest';
import { placeOf, selfTimes } from './cpu-profile.ts';

describe('cpu profile summary', () => {
  it('names where code lives', () => {
    expect(placeOf('file:///repo/node_modules/@platformatic/kafka/dist/protocol/reader.js')).toBe('@platformatic/kafka');
    expect(placeOf('file:///repo/node_modules/pino/lib/proto.js')).toBe('pino');
    expect(placeOf('file:///repo/core/stages/transform.ts')).toBe('core/stages');
    expect(placeOf('node:buffer')).toBe('node internals');
    expect(placeOf('')).toBe('(v8)');
  });

  it('adds self time per function and per place', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('decode', 'file:///r/core/codecs/json.ts') },
        { id: 3, callFrame: frame('readVarInt', 'file:///r/node_modules/@platformatic/kafka/dist/reader.js') },
      ],
      samples: [2, 2, 3, 1],
      timeDeltas: [1_000, 2_000, 1_000, 0],
    };
    const { functions, places, totalMs } = selfTimes(profile);
    expect(totalMs).toBe(4);
    expect(places[0]).toEqual({ name: 'core/codecs', ms: 3, pct: 75 });
    expect(functions[0]?.name).toBe('decode codecs/json.ts:1');
  });
});
