import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from './testing/spawn-cli.ts';
import type { Runtime } from './testing/spawn-cli.ts';

const runtimes: Runtime[] = ['node', 'bun', 'deno'];

describe.each(runtimes)('orchestron CLI on %s', { timeout: 60_000 }, (runtime) => {
  it('check refuses {"failureMode": "sometimes"}, naming the field and its allowed values', async () => {
    const file = await writeConfig({ failureMode: 'sometimes' });
    const { code, output } = await runCli(runtime, ['check', '--config', file]);
    expect(code).toBe(2);
    expect(output).toContain('orchestron check: failureMode: must be one of atomic, skip-and-log; got "sometimes"');
  });

  it('check prints the resolved config with secrets redacted', async () => {
    const file = await writeConfig({ topics: ['orders'], kafka: { sasl: { username: 'svc', password: 'hunter2-kafka' } }, postgres: { url: 'postgres://app:hunter2-pg@db:5432/app' } });
    // An empty variable does not override; the test must not inherit the services' DATABASE_URL.
    const { code, output } = await runCli(runtime, ['check', '--config', file], { DATABASE_URL: '', REDIS_URL: 'redis://:hunter2-redis@cache:6379' });
    expect(code).toBe(0);
    const printed = JSON.parse(output) as { kafka: { sasl: { password: string } }; postgres: { url: string }; redis: { url: string }; failureMode: string };
    expect(printed.failureMode).toBe('atomic');
    expect(printed.kafka.sasl.password).toBe('***');
    expect(printed.postgres.url).toBe('postgres://app:***@db:5432/app');
    expect(printed.redis.url).toBe('redis://:***@cache:6379');
    expect(output).not.toContain('hunter2');
  });

  it('check refuses store URLs of the wrong scheme or shape, naming each field', async () => {
    const file = await writeConfig({ topics: ['orders'], postgres: { url: 'htp://not a url' }, redis: { url: 'localhost:6379' }, mongodb: { url: 'http://x' } });
    const { code, output } = await runCli(runtime, ['check', '--config', file], { DATABASE_URL: '', REDIS_URL: '', MONGO_URL: '' });
    expect(code).toBe(2);
    expect(output).toContain('postgres.url: must be a postgres:// or postgresql:// URL with a host; got "htp://not a url"');
    expect(output).toContain('redis.url: must be a redis:// or rediss:// URL with a host; got "localhost:6379"');
    expect(output).toContain('mongodb.url: must be a mongodb:// or mongodb+srv:// URL with a host');
  });

  it('check prints the store URL actually used, and says when it is the built-in default', async () => {
    const file = await writeConfig({ topics: ['orders'], store: 'postgres', trackerStrategy: 'OUTBOX' });
    const { code, output } = await runCli(runtime, ['check', '--config', file], { DATABASE_URL: '' });
    expect(code).toBe(0);
    expect(output).toContain('"url": "postgres://orchestron:***@127.0.0.1:5432/orchestron"');
    expect(output).toContain('postgres.url is not set: the built-in default postgres://orchestron:***@127.0.0.1:5432/orchestron is used (set postgres.url or DATABASE_URL)');
  });

  it('prints help for the CLI and for each command', async () => {
    const main = await runCli(runtime, ['--help']);
    expect(main.code).toBe(0);
    expect(main.output).toMatch(/Usage: orchestron <command>[\s\S]*run[\s\S]*check[\s\S]*replay[\s\S]*migrate/);
    for (const command of ['run', 'check', 'replay', 'migrate']) {
      const help = await runCli(runtime, [command, '--help']);
      expect(help.code).toBe(0);
      expect(help.output).toContain(`Usage: orchestron ${command} --config FILE`);
    }
  });

  it('replay and console read the kafka.tls files the config names, naming a missing one', async () => {
    const file = await writeConfig({ topics: ['orders'], kafka: { tls: { caFile: 'no-such-ca.pem' } }, console: { token: 'a-console-token-of-16+' } });
    for (const command of ['replay', 'console']) {
      const { code, output } = await runCli(runtime, [command, '--config', file]);
      expect(code).toBe(2);
      expect(output).toContain('kafka.tls.caFile: cannot read no-such-ca.pem');
    }
  });

  it('refuses an unknown command, an unknown flag and a missing --config with exit 2', async () => {
    expect((await runCli(runtime, ['start'])).output).toContain('unknown command "start"');
    const flag = await runCli(runtime, ['run', '--confg', 'x.yaml']);
    expect(flag.code).toBe(2);
    expect(flag.output).toContain("Unknown option '--confg'");
    const missing = await runCli(runtime, ['check']);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('--config FILE is required');
  });
});

describe('orchestron check', { timeout: 60_000 }, () => {
  it('loads the user modules the config names and reports a missing export', async () => {
    const file = await writeConfig({ topics: ['orders'], transform: { module: `${process.cwd()}/examples/config/enrich.ts`, export: 'enrichOrder' } });
    const { code, output } = await runCli('node', ['check', '--config', file]);
    expect(code).toBe(2);
    expect(output).toContain('transform.export: ');
    expect(output).toContain('has no export named "enrichOrder" (it exports default)');
  });

  it('validates the sample configs', async () => {
    for (const sample of ['examples/config/memory.yaml', 'examples/config/kafka.yaml']) {
      const { code, output } = await runCli('node', ['check', '--config', sample]);
      expect({ sample, code, output: code === 0 ? '' : output }).toEqual({ sample, code: 0, output: '' });
    }
  });
});
