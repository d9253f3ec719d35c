import { describe, expect, it } from 'vitest';
import { toKafkaMessage } from './records.ts';

describe('toKafkaMessage', () => {
  it('passes Buffer headers through as they are and copies Uint8Array ones into Buffers', () => {
    const consumed = new Map([['trace', Buffer.from('t-1')]]);
    expect(toKafkaMessage({ topic: 't', key: null, value: null, headers: consumed }).headers).toBe(consumed);
    const built = new Map([['trace', new TextEncoder().encode('t-2')]]);
    const headers = toKafkaMessage({ topic: 't', key: null, value: null, headers: built }).headers as Map<string, Buffer>;
    expect(headers).not.toBe(built);
    expect(Buffer.isBuffer(headers.get('trace'))).toBe(true);
    expect(headers.get('trace')?.toString()).toBe('t-2');
  });

  it('leaves out what the record lacks and converts what it has', () => {
    const bare = toKafkaMessage({ topic: 't', key: null, value: null });
    expect([bare.key, bare.value, bare.partition, bare.timestamp, bare.headers?.size]).toEqual([undefined, undefined, undefined, undefined, 0]);
    const full = toKafkaMessage({ topic: 't', key: new Uint8Array([1]), value: Buffer.from('v'), partition: 2, timestamp: 1_700_000_000_000 });
    expect(Buffer.isBuffer(full.key)).toBe(true);
    expect(full.value?.toString()).toBe('v');
    expect(full.partition).toBe(2);
    expect(full.timestamp).toBe(1_700_000_000_000n);
  });
});
