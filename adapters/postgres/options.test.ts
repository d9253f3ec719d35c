import { describe, expect, it } from 'vitest';
import { ConfigError, ManualClock, systemClock } from '../../core/index.ts';
import { defaultDatabaseUrl, postgresDefaults, resolvePostgresOptions } from './options.ts';

const configError = (run: () => unknown): ConfigError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('resolvePostgresOptions', () => {
  it('takes explicit options first, then DATABASE_URL, then the defaults', () => {
    const env = { DATABASE_URL: 'postgres://env@db.internal:6543/app' };
    expect(resolvePostgresOptions({}, {})).toMatchObject({ ...postgresDefaults, url: defaultDatabaseUrl, clock: systemClock });
    expect(resolvePostgresOptions({}, env).url).toBe(env.DATABASE_URL);
    const clock = new ManualClock();
    const explicit = resolvePostgresOptions({ url: 'postgresql://x@h/d', poolSize: 3, schema: 'orch', trackerTable: 'rows', clock }, env);
    expect(explicit).toMatchObject({ url: 'postgresql://x@h/d', poolSize: 3, schema: 'orch', trackerTable: 'rows', clock });
    expect(resolvePostgresOptions({ poolSize: undefined }, {}).poolSize).toBe(10);
  });

  it('is idempotent, so resolved options can be passed on', () => {
    const once = resolvePostgresOptions({ statementTimeoutMs: 0, migrate: false }, {});
    expect(resolvePostgresOptions(once, { DATABASE_URL: 'postgres://other/db' })).toEqual(once);
  });

  it.each([
    ['trackerTable', { trackerTable: 'records; DROP TABLE x' }],
    ['schema', { schema: 'public"."evil' }],
    ['dedupTable', { dedupTable: '' }],
    ['migrationsTable', { migrationsTable: 'x'.repeat(64) }],
  ])('refuses a %s that is not a plain identifier', (field, options) => {
    expect(configError(() => resolvePostgresOptions(options, {})).field).toBe(`postgres.${field}`);
  });

  it.each([
    ['poolSize', { poolSize: 0 }, 'must be a whole number from 1 to 1000; got 0'],
    ['poolSize', { poolSize: 2.5 }, 'got 2.5'],
    ['statementTimeoutMs', { statementTimeoutMs: -1 }, 'from 0 to'],
    ['connectTimeoutMs', { connectTimeoutMs: 0 }, 'from 1 to'],
    ['purgeIntervalMs', { purgeIntervalMs: Number.NaN }, 'got NaN'],
    ['migrate', { migrate: 'yes' as unknown as boolean }, 'must be true or false'],
    ['applicationName', { applicationName: 'é'.repeat(3) }, 'printable ASCII'],
    ['trackerTable', { trackerTable: 'same', dedupTable: 'same' }, 'must differ'],
    ['pool', { pool: 5 } as object, 'is not an option; allowed: applicationName, clock'],
  ])('names %s and what is allowed', (field, options, message) => {
    const error = configError(() => resolvePostgresOptions(options, {}));
    expect(error.field).toBe(`postgres.${field}`);
    expect(error.message).toContain(message);
  });

  it('refuses a URL that is not postgres without showing its password', () => {
    const error = configError(() => resolvePostgresOptions({ url: 'mysql://root:hunter2@db/app' }, {}));
    expect(error.field).toBe('postgres.url');
    expect(error.message).toContain('postgres:// or postgresql://');
    expect(error.message).not.toContain('hunter2');
    expect(configError(() => resolvePostgresOptions({}, { DATABASE_URL: 'not a url' })).field).toBe('postgres.url');
  });
});
