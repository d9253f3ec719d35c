import { describe, expect, it } from 'vitest';
import { resolveSoakOptions } from './options.ts';

const resolve = (...argv: string[]) => resolveSoakOptions(argv, {}, new Date('2026-01-02T03:04:05Z'));

describe('soak options', () => {
  it('has defaults for everything', () => {
    expect(resolve()).toMatchObject({
      messages: 1_000_000,
      mode: 'alo',
      runtime: 'node',
      rate: undefined,
      compare: undefined,
      partitions: 6,
      batchSize: 1_000,
      commitIntervalMs: 100,
      brokers: ['127.0.0.1:9092'],
      deadlineS: 620,
      preload: false,
      repeat: 1,
      cpuProf: false,
      logLevel: 'warn',
      keepTopics: false,
    });
    expect(resolve()?.out).toMatch(/soak\/out\/alo-node-20260102-030405$/);
  });

  it('reads the flags, and KAFKA_BROKERS when --brokers is absent', () => {
    const options = resolveSoakOptions(
      ['--messages', '20000', '--mode', 'eos', '--runtime', 'bun', '--rate', '5000', '--compare', 'raw', '--out', 'x', '--repeat', '3'],
      { KAFKA_BROKERS: 'a:1,b:2' },
    );
    expect(options).toMatchObject({ messages: 20_000, mode: 'eos', runtime: 'bun', rate: 5_000, compare: 'raw', repeat: 3, brokers: ['a:1', 'b:2'] });
    expect(options?.deadlineS).toBe(120 + 6);
  });

  it('scales the default deadline with N', () => {
    expect(resolve('--messages', '20000')?.deadlineS).toBe(130);
    expect(resolve('--deadline-s', '5')?.deadlineS).toBe(5);
  });

  it('returns undefined for --help', () => {
    expect(resolve('--help')).toBeUndefined();
  });

  it.each([
    [['--mode', 'once'], /--mode: must be one of alo, eos; got "once"/],
    [['--runtime', 'deno'], /--runtime: must be one of node, bun; got "deno"/],
    [['--compare', 'kafkajs'], /--compare: must be one of raw; got "kafkajs"/],
    [['--messages', '1e6'], /--messages: must be a whole number/],
    [['--messages', '0'], /--messages: must be a whole number ≥ 1/],
    [['--rate', 'fast'], /--rate: must be a number of records per second > 0/],
    [['--rate', '100', '--preload'], /--preload: cannot be combined with --rate/],
    [['--runtime', 'bun', '--cpu-prof'], /--cpu-prof: needs --runtime node/],
    [['--brokers', 'nohost'], /--brokers: expected host:port/],
    [['--log-level', 'loud'], /--log-level: must be one of debug, info, warn, error/],
    [['--speed', '3'], /arguments: Unknown option '--speed'/],
  ])('rejects %j naming the flag and what is allowed', (argv, message) => {
    expect(() => resolve(...argv)).toThrow(message);
  });
});
