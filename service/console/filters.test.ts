import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders } from '../../core/index.ts';
import { deadLetterEntry, trackerKey } from './dead-letter-entry.ts';
import { DeadLetterIndex } from './dead-letter-index.ts';
import { countBy, filterQuery, histogram, matches, parseFilter } from './filters.ts';
import { previewText } from './views/preview.ts';

const text = (value: string) => new TextEncoder().encode(value);

function entry(offset: number, category: string, failedAt: string, topic = 'orders') {
  return deadLetterEntry(
    {
      partition: 1,
      offset: BigInt(offset),
      timestamp: 0n,
      key: null,
      value: text('{}'),
      headers: new Map([
        [DeadLetterHeaders.sourceTopic, text(topic)],
        [DeadLetterHeaders.sourcePartition, text('2')],
        [DeadLetterHeaders.sourceOffset, text(String(offset + 100))],
        [DeadLetterHeaders.category, text(category)],
        [DeadLetterHeaders.lastFailureAt, text(failedAt)],
      ]),
    },
    64,
  );
}

describe('console filters', () => {
  const a = entry(1, 'PROCESSING_ERROR', '2026-01-01T10:00:00Z');
  const b = entry(2, 'VALIDATION_ERROR', '2026-01-01T10:30:00Z', 'payments');
  const c = entry(3, 'PROCESSING_ERROR', '2026-01-01T11:00:00Z');

  it('parse a form or a query: bounds as ISO, datetime-local (UTC) or epoch ms; blanks and junk are no bound', () => {
    expect(parseFilter({ category: 'PROCESSING_ERROR', topic: ' ', since: '2026-01-01T10:15', until: 'yesterday', other: 'x' })).toEqual({
      category: 'PROCESSING_ERROR',
      since: Date.parse('2026-01-01T10:15:00Z'),
    });
    expect(parseFilter({ until: String(Date.parse('2026-01-01T11:00:00Z')) })).toEqual({ until: Date.parse('2026-01-01T11:00:00Z') });
  });

  it('match on every field given, the time bound half-open', () => {
    const filter = parseFilter({ category: 'PROCESSING_ERROR', since: '2026-01-01T10:00:00Z', until: '2026-01-01T11:00:00Z' });
    expect([a, b, c].map((e) => matches(e, filter))).toEqual([true, false, false]);
    expect([a, b, c].map((e) => matches(e, { topic: 'payments' }))).toEqual([false, true, false]);
    expect([a, b, c].map((e) => matches(e, {}))).toEqual([true, true, true]);
  });

  it('round-trip through a query string', () => {
    const filter = parseFilter({ category: 'PROCESSING_ERROR', since: '2026-01-01T10:00:00Z' });
    expect(parseFilter(Object.fromEntries(new URLSearchParams(filterQuery(filter))))).toEqual(filter);
    expect(filterQuery(filter, { category: undefined, code: 'X' })).toBe('?code=X&since=2026-01-01T10%3A00%3A00.000Z');
  });

  it('count by a field, most first, and bin failures over time', () => {
    expect(countBy([a, b, c], 'category')).toEqual([
      ['PROCESSING_ERROR', 2],
      ['VALIDATION_ERROR', 1],
    ]);
    const bins = histogram([a, b, c], 4)!;
    expect(bins.counts.reduce((n, v) => n + v, 0)).toBe(3);
    expect(bins.counts[0]).toBe(1);
    expect(bins.counts.at(-1)).toBe(1);
    expect(histogram([])).toBeUndefined();
  });
});

describe('console dead-letter entries', () => {
  it('read the headers, and key the tracker row by the source position', () => {
    const e = entry(7, 'PROCESSING_ERROR', '2026-01-01T10:00:00Z');
    expect(e).toMatchObject({ sourceTopic: 'orders', sourcePartition: 2, sourceOffset: '107', category: 'PROCESSING_ERROR', code: 'UNKNOWN', replayCount: 0 });
    expect(trackerKey(e)).toBe('orders-2-107');
  });

  it('keep the newest dead letters only', () => {
    const index = new DeadLetterIndex(2);
    for (let i = 0; i < 3; i++) index.add(entry(i, 'PROCESSING_ERROR', '2026-01-01T10:00:00Z'));
    expect(index.all().map((e) => Number(e.offset))).toEqual([2, 1]);
    expect(index.evicted).toBe(1);
    expect(index.get('1-0')).toBeUndefined();
  });

  it('cut the value to the preview size and show it as JSON, text or hex', () => {
    const big = deadLetterEntry({ partition: 0, offset: 0n, timestamp: 0n, key: null, value: text('x'.repeat(100)), headers: new Map() }, 64);
    expect(big.preview.byteLength).toBe(64);
    expect(big.valueBytes).toBe(100);
    expect(previewText(big.preview, big.valueBytes)).toMatchObject({ kind: 'text', cut: true });
    expect(previewText(text('{"a":1}'), 7)).toEqual({ text: '{\n  "a": 1\n}', kind: 'json', cut: false });
    expect(previewText(new Uint8Array([0, 1, 0xff]), 3).kind).toBe('hex');
  });
});
