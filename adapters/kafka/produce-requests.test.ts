import { createRecordsBatch } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { encodeText, recordBatchOverheadBytes, recordBytes } from '../../core/index.ts';
import type { SizedMessage } from './produce-requests.ts';
import { requestsWithin } from './produce-requests.ts';

const item = (topic: string, bytes: number, id: number): SizedMessage<number> => ({ topic, bytes, message: id });
const ids = (requests: SizedMessage<number>[][]) => requests.map((request) => request.map((i) => i.message));

describe('requestsWithin', () => {
  it('keeps each topic of a request within its limit, the batch overhead included, in order', () => {
    const limit = recordBatchOverheadBytes + 1_000;
    const messages = [item('a', 600, 1), item('a', 400, 2), item('a', 1, 3), item('b', 900, 4), item('a', 500, 5)];
    expect(ids(requestsWithin(messages, () => limit))).toEqual([[1, 2], [3, 4, 5]]);
  });

  it('does not split topics without a known limit, and sends a message over its limit alone', () => {
    const messages = [item('a', 5_000, 1), item('b', 10, 2), item('a', 5_000, 3)];
    expect(ids(requestsWithin(messages, () => undefined))).toEqual([[1, 2, 3]]);
    expect(ids(requestsWithin(messages, (topic) => (topic === 'a' ? 1_000 : undefined)))).toEqual([[1, 2], [3]]);
  });

  it('a 1,000-record batch of ~1 KB records bound for one partition becomes two requests under the default limit', () => {
    const messages = Array.from({ length: 1_000 }, (_, id) => item('out', 1_060, id));
    const requests = requestsWithin(messages, () => 1_048_588);
    expect(requests.map((r) => r.length)).toEqual([989, 11]);
  });
});

describe('recordBytes', () => {
  it('is never less than the record batch the client writes, and at most 29 bytes per record and 8 per header more', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({
      key: i % 5 === 0 ? null : encodeText(`key-${i}`),
      value: encodeText('v'.repeat(i * 37)),
      headers: new Map([
        ['trace', encodeText(`t-${i}`)],
        ['é-name', encodeText('x'.repeat(i))],
      ]),
    }));
    const written = createRecordsBatch(
      records.map((r, i) => ({
        topic: 't',
        key: r.key === null ? undefined : Buffer.from(r.key),
        value: Buffer.from(r.value),
        headers: new Map([...r.headers].map(([name, value]) => [Buffer.from(name), Buffer.from(value)])),
        timestamp: 1_700_000_000_000n + BigInt(i * 3),
      })) as never,
      {},
    ).length;
    const estimated = recordBatchOverheadBytes + records.reduce((sum, r) => sum + recordBytes(r), 0);
    expect(estimated).toBeGreaterThanOrEqual(written);
    expect(estimated - written).toBeLessThanOrEqual(records.length * (29 + 2 * 8));
    expect(estimated - written).toBeGreaterThan(0);
  });
});
