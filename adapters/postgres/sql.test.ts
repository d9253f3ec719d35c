import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/index.ts';
import { byKey, indexName, qualified, quote } from './sql.ts';

describe('sql helpers', () => {
  it('quotes checked identifiers and refuses anything else', () => {
    expect(qualified('public', 'orchestron_records')).toBe('"public"."orchestron_records"');
    expect(() => quote('a"b')).toThrow(ConfigError);
    expect(() => quote('a b')).toThrow(ConfigError);
  });

  it('keeps index names within 63 bytes and apart for long table names', () => {
    expect(indexName('orchestron_records', 'received_idx')).toBe('orchestron_records_received_idx');
    const long = `t${'x'.repeat(61)}`;
    const a = indexName(`${long}a`, 'received_idx');
    const b = indexName(`${long}b`, 'received_idx');
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(a.endsWith('_received_idx')).toBe(true);
    expect(() => quote(a)).not.toThrow();
  });

  it('orders entries by key, the same way on every instance', () => {
    const keys = ['b', 'a', 'ä', 'A', 'a1'].map((key) => ({ key }));
    expect(byKey(keys, (e) => e.key).map((e) => e.key)).toEqual(['A', 'a', 'a1', 'b', 'ä']);
  });
});
