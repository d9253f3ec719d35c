import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/index.ts';
import { redisDefaults, resolveRedisOptions, resolveTrackerOptions } from './options.ts';

describe('redis options', () => {
  it('takes explicit options first, then REDIS_URL, then defaults', () => {
    expect(resolveRedisOptions({}, {})).toEqual({
      url: 'redis://127.0.0.1:6379',
      keyPrefix: 'orchestron',
      commandTimeoutMs: 3_000,
      connectTimeoutMs: 5_000,
      reconnectMaxDelayMs: 2_000,
      connectionName: 'orchestron',
    });
    expect(resolveRedisOptions({}, { REDIS_URL: 'redis://cache:6380/2' }).url).toBe('redis://cache:6380/2');
    expect(resolveRedisOptions({ url: 'rediss://x:1' }, { REDIS_URL: 'redis://cache:6380' }).url).toBe('rediss://x:1');
    expect(resolveRedisOptions({}, { REDIS_URL: '  ' }).url).toBe(redisDefaults.url);
    expect(resolveTrackerOptions({ recordTtlMs: 86_400_000 }, {})).toMatchObject({ recordTtlMs: 86_400_000, sweepChunkSize: 1_000 });
  });

  it('refuses bad values with a ConfigError naming the field and what is allowed', () => {
    const bad: [object, string][] = [
      [{ url: 'http://host:6379' }, 'redis.url: must be a redis:// or rediss:// URL with a host; got "http://host:6379/"'],
      [{ url: 'not a url' }, 'redis.url: must be a redis:// or rediss:// URL'],
      [{ url: 'redis://host/abc' }, 'redis.url: the path may only name a database number (/0 to /99)'],
      [{ keyPrefix: 'a b*' }, 'redis.keyPrefix: must hold only letters, digits and _ . : - (64 at most); got "a b*"'],
      [{ commandTimeoutMs: 0 }, 'redis.commandTimeoutMs: must be a whole number from 1 to 600000; got 0'],
      [{ connectTimeoutMs: 1.5 }, 'redis.connectTimeoutMs: must be a whole number from 1 to 600000; got 1.5'],
      [{ reconnectMaxDelayMs: '100' }, 'redis.reconnectMaxDelayMs: must be a whole number from 1 to 600000; got "100"'],
      [{ connectionName: 'has space' }, 'redis.connectionName: must be 1 to 64 printable ASCII characters without spaces'],
      [{ recordTtlMs: -1 }, 'redis.recordTtlMs: must be a whole number from 0 to'],
      [{ sweepChunkSize: 0 }, 'redis.sweepChunkSize: must be a whole number from 1 to 100000; got 0'],
    ];
    for (const [options, message] of bad) {
      expect(() => resolveTrackerOptions(options, {})).toThrow(ConfigError);
      expect(() => resolveTrackerOptions(options, {})).toThrow(message);
    }
  });

  it('never puts a password in a configuration error', () => {
    expect(() => resolveRedisOptions({ url: 'http://user:hunter2@host:6379' }, {})).toThrow('"http://user:***@host:6379/"');
    expect(() => resolveRedisOptions({}, { REDIS_URL: 'redis://:hunter2@host/xyz' })).not.toThrow(/hunter2/);
    expect(() => resolveRedisOptions({}, { REDIS_URL: 'redis://:hunter2@host/xyz' })).toThrow(ConfigError);
  });
});
