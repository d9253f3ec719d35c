import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.ts';
import { checkIdentifier, checkKeyPrefix, redactUrl } from './identifiers.ts';

describe('identifiers', () => {
  it('accepts plain names and refuses anything that could inject SQL or operators', () => {
    expect(checkIdentifier('table', 'orchestron_failures')).toBe('orchestron_failures');
    for (const bad of ['', 'a;drop table x', 'a"b', '$where', 'a b', '1abc', 'x'.repeat(64), 'tbl--']) {
      expect(() => checkIdentifier('table', bad)).toThrow(ConfigError);
    }
    expect(() => checkIdentifier('table', 'a;b')).toThrow(/^table: must start with a letter/);
    expect(checkKeyPrefix('keyPrefix', 'orchestron:dedup')).toBe('orchestron:dedup');
    expect(() => checkKeyPrefix('keyPrefix', 'a b*')).toThrow(/keyPrefix/);
  });

  it('never lets an arbitrary string through unless it is a plain identifier', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        try {
          checkIdentifier('table', value);
          return /^[A-Za-z_][A-Za-z0-9_]*$/.test(value);
        } catch (error) {
          return error instanceof ConfigError;
        }
      }),
    );
  });

  it('redacts passwords from URLs', () => {
    expect(redactUrl('postgres://orchestron:s3cret@db:5432/orch')).toBe('postgres://orchestron:***@db:5432/orch');
    expect(redactUrl('redis://:pw@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
    expect(redactUrl('mongodb://u:p@h:27017/db?authSource=admin&apiKey=abc')).toContain('apiKey=***');
    expect(redactUrl('mongodb://127.0.0.1:27017/db')).toBe('mongodb://127.0.0.1:27017/db');
    expect(redactUrl('not a url user:pw@x')).not.toContain('pw@');
  });
});
