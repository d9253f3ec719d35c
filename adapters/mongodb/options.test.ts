import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { ManualClock } from '../../core/testing/manual-clock.ts';
import { mongoDefaults, resolveConnection, resolveDedupOptions, resolveTrackerOptions } from './options.ts';

const configError = (body: () => unknown): ConfigError => {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('MongoDB options', () => {
  it('takes explicit values, then MONGO_URL, then the defaults', () => {
    expect(resolveConnection({}, {})).toMatchObject({
      url: mongoDefaults.url,
      database: 'orchestron',
      serverSelectionTimeoutMs: 2_000,
      connectTimeoutMs: 2_000,
      socketTimeoutMs: 30_000,
      maxPoolSize: 20,
      ensureIndexes: true,
    });
    expect(resolveConnection({}, { MONGO_URL: 'mongodb://db.internal:27018/ops' })).toMatchObject({
      url: 'mongodb://db.internal:27018/ops',
      database: 'ops',
    });
    expect(resolveConnection({ url: 'mongodb://a:1/x', database: 'y' }, { MONGO_URL: 'mongodb://b:2/z' })).toMatchObject({
      url: 'mongodb://a:1/x',
      database: 'y',
    });
    expect(resolveConnection({}, { MONGO_URL: '  ' }).url).toBe(mongoDefaults.url);
    expect(resolveConnection({ url: 'mongodb+srv://cluster.example.net/?retryWrites=true' }, {}).database).toBe('orchestron');
    expect(resolveConnection({ url: 'mongodb://h1:1,h2:2/app?replicaSet=rs0' }, {}).database).toBe('app');
  });

  it('redacts the password in the target and in errors about the URL', () => {
    expect(resolveConnection({ url: 'mongodb://app:hunter2@h:27017/db' }, {}).target).toBe('mongodb://app:***@h:27017/db');
    const error = configError(() => resolveConnection({ url: 'postgres://app:hunter2@h/db' }, {}));
    expect(error.field).toBe('url');
    expect(error.message).toContain('mongodb:// or mongodb+srv://');
    expect(error.message).not.toContain('hunter2');
  });

  it('checks collection names with checkIdentifier, so no name carries an operator or a dot', () => {
    for (const bad of ['$where', 'a.b', 'x; drop', '', 'a'.repeat(64), 'système']) {
      expect(configError(() => resolveTrackerOptions({ collection: bad }, {})).field).toBe('collection');
      expect(configError(() => resolveDedupOptions({ collection: bad }, {})).field).toBe('collection');
    }
    expect(resolveTrackerOptions({}, {}).collection).toBe('orchestron_tracker');
    expect(resolveDedupOptions({ collection: 'keys_2' }, {}).collection).toBe('keys_2');
  });

  it('names the field and what is allowed for bad numbers, databases and clocks', () => {
    for (const field of ['serverSelectionTimeoutMs', 'connectTimeoutMs', 'socketTimeoutMs', 'maxPoolSize'] as const) {
      for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 31, '100' as unknown as number]) {
        const error = configError(() => resolveConnection({ [field]: bad }, {}));
        expect(error.field).toBe(field);
        expect(error.message).toContain(`${field}: must be a whole number from 1 to`);
      }
    }
    expect(configError(() => resolveTrackerOptions({ retentionMs: 999 }, {})).message).toContain('retentionMs: must be a whole number from 1000 to 315360000000; got 999');
    expect(resolveTrackerOptions({ retentionMs: 86_400_000 }, {}).retentionMs).toBe(86_400_000);
    expect(configError(() => resolveConnection({ maxPoolSize: 1_001 }, {})).message).toBe('maxPoolSize: must be a whole number from 1 to 1000; got 1001');
    expect(configError(() => resolveConnection({ database: 'a.b' }, {})).field).toBe('database');
    expect(configError(() => resolveConnection({ url: 'mongodb://h/$cmd' }, {})).field).toBe('database');
    expect(configError(() => resolveConnection({ ensureIndexes: 'yes' as unknown as boolean }, {})).field).toBe('ensureIndexes');
    expect(configError(() => resolveConnection({ client: {} as never }, {})).field).toBe('client');
    expect(configError(() => resolveTrackerOptions({ clock: {} as never }, {})).field).toBe('clock');
    const clock = new ManualClock();
    expect(resolveDedupOptions({ clock }, {}).clock).toBe(clock);
  });
});
