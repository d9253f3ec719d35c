import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaDefaults } from '../adapters/kafka/options.ts';
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
      floor: false,
      partitions: 6,
      batchSize: 1_000,
      lingerMs: kafkaDefaults.lingerMs,
      commitIntervalMs: kafkaDefaults.commitIntervalMs,
      brokers: ['127.0.0.1:9092'],
      deadlineS: 620,
      preload: false,
      repeat: 1,
      cpuProf: false,
      logLevel: 'warn',
      keepTopics: false,
      baseline: undefined,
      gates: { maxLost: 0, maxDuplicated: 0 },
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

  it('reads the batch linger and the commit interval (a linger of 0 hands over what the fetch returned)', () => {
    expect(resolve('--linger-ms', '0', '--commit-interval-ms', '250')).toMatchObject({ lingerMs: 0, commitIntervalMs: 250 });
    expect(resolve('--linger-ms', '15')?.lingerMs).toBe(15);
  });

  it('measures the soak floor with --floor, beside the raw loop or alone', () => {
    expect(resolve('--floor', '--rate', '2000')).toMatchObject({ floor: true, rate: 2_000, compare: undefined });
    expect(resolve('--floor', '--compare', 'raw')).toMatchObject({ floor: true, compare: 'raw' });
    expect(() => resolve('--floor=yes')).toThrow(/arguments: Option '--floor' does not take an argument/);
  });

  it('measures exactly-once against at-least-once with --mode eos --compare alo, gated by --min-eos-ratio', () => {
    expect(resolve('--mode', 'eos', '--compare', 'alo', '--preload', '--repeat', '7', '--min-eos-ratio', '0.95')).toMatchObject({
      mode: 'eos',
      compare: 'alo',
      preload: true,
      repeat: 7,
      gates: { minEosRatio: 0.95 },
    });
    expect(resolve('--mode', 'eos', '--compare', 'raw')?.gates).not.toHaveProperty('minEosRatio');
  });

  it("takes --compare alo with a --config whose failureMode is atomic, and names the config's failureMode otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), 'soak-options-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const config = (failureMode: string) => {
      const file = join(dir, `${failureMode}.yaml`);
      writeFileSync(file, `topics: [orders]\noutputTopic: priced\nfailureMode: ${failureMode}\nkafka: { brokers: "k:1", groupId: prod }\n`);
      return file;
    };
    expect(resolve('--config', config('atomic'), '--compare', 'alo')).toMatchObject({ mode: 'eos', compare: 'alo', target: { kind: 'config' } });
    expect(() => resolve('--config', config('skip-and-log'), '--compare', 'alo')).toThrow(/--compare: alo needs --mode eos \(a --config with failureMode atomic\)/);
  });

  it('scales the default deadline with N', () => {
    expect(resolve('--messages', '20000')?.deadlineS).toBe(130);
    expect(resolve('--deadline-s', '5')?.deadlineS).toBe(5);
  });

  it('reads the gates and the baseline', () => {
    const options = resolve(
      ...['--baseline', 'soak/out/main/summary.json', '--max-p99-ms', '250', '--max-p50-ms', '40.5', '--min-throughput', '1e12'],
      ...['--max-rss-growth-pct', '0', '--max-lost', '3', '--max-duplicated', '10', '--max-regression-pct', '15', '--compare', 'raw', '--min-raw-ratio', '0.8'],
    );
    expect(options?.baseline).toMatch(/soak\/out\/main\/summary\.json$/);
    expect(options?.gates).toEqual({ maxP99Ms: 250, maxP50Ms: 40.5, minThroughput: 1e12, maxRssGrowthPct: 0, maxLost: 3, maxDuplicated: 10, maxRegressionPct: 15, minRawRatio: 0.8 });
  });

  it('returns undefined for --help', () => {
    expect(resolve('--help')).toBeUndefined();
  });

  it.each([
    [['--mode', 'once'], /--mode: must be one of alo, eos; got "once"/],
    [['--runtime', 'deno'], /--runtime: must be one of node, bun; got "deno"/],
    [['--compare', 'kafkajs'], /--compare: must be one of raw, alo; got "kafkajs"/],
    [['--compare', 'alo'], /--compare: alo needs --mode eos: it measures the exactly-once pipeline against the same pipeline at-least-once/],
    [['--compare', 'alo', '--mode', 'alo'], /--compare: alo needs --mode eos/],
    [['--compare', 'alo', '--mode', 'eos', '--command', 'node c.ts'], /--compare: alo cannot be combined with --command: the command decides its own mode/],
    [['--min-eos-ratio', '0.9', '--mode', 'eos'], /--min-eos-ratio: needs --compare alo/],
    [['--min-eos-ratio', '0.9', '--mode', 'eos', '--compare', 'raw'], /--min-eos-ratio: needs --compare alo/],
    [['--min-raw-ratio', '0.9', '--mode', 'eos', '--compare', 'alo'], /--min-raw-ratio: needs --compare raw/],
    [['--min-eos-ratio', 'most', '--mode', 'eos', '--compare', 'alo'], /--min-eos-ratio: must be a number ≥ 0; got "most"/],
    [['--messages', '1e6'], /--messages: must be a whole number/],
    [['--messages', '0'], /--messages: must be a whole number ≥ 1/],
    [['--rate', 'fast'], /--rate: must be a number of records per second > 0/],
    [['--rate', '100', '--preload'], /--preload: cannot be combined with --rate/],
    [['--runtime', 'bun', '--cpu-prof'], /--cpu-prof: needs --runtime node/],
    [['--brokers', 'nohost'], /--brokers: expected host:port/],
    [['--log-level', 'loud'], /--log-level: must be one of debug, info, warn, error/],
    [['--speed', '3'], /arguments: Unknown option '--speed'/],
    [['--max-p99-ms', 'fast'], /--max-p99-ms: must be a number ≥ 0; got "fast"/],
    [['--min-throughput=-1'], /--min-throughput: must be a number ≥ 0; got "-1"/],
    [['--max-p50-ms', ''], /--max-p50-ms: must be a number ≥ 0/],
    [['--linger-ms', '2.5'], /--linger-ms: must be a whole number ≥ 0/],
    [['--linger-ms=-1'], /--linger-ms: must be a whole number ≥ 0/],
    [['--commit-interval-ms', '0'], /--commit-interval-ms: must be a whole number ≥ 1/],
    [['--max-lost', '0.5'], /--max-lost: must be a whole number ≥ 0/],
    [['--max-duplicated=-2'], /--max-duplicated: must be a whole number ≥ 0/],
    [['--max-regression-pct', '10'], /--max-regression-pct: needs --baseline/],
    [['--min-raw-ratio', '0.9'], /--min-raw-ratio: needs --compare raw/],
    [['--baseline', ''], /--baseline: must name a previous run's summary.json/],
  ])('rejects %j naming the flag and what is allowed', (argv, message) => {
    expect(() => resolve(...argv)).toThrow(message);
  });

  it('soaks the built-in pipeline with the built-in records unless told otherwise', () => {
    expect(resolve()).toMatchObject({ target: { kind: 'builtin' }, records: { kind: 'default' } });
    expect(resolve('--command', "node 'my consumer.ts'", '--records', 'gen.ts')).toMatchObject({
      target: { kind: 'command', argv: ['node', 'my consumer.ts'] },
      records: { kind: 'module', file: expect.stringMatching(/\/gen\.ts$/) },
    });
  });

  it('refuses flags that contradict what is soaked or sent', () => {
    expect(() => resolve('--config', 'a.yaml', '--command', 'node c.ts')).toThrow(/--config: cannot be combined with --command/);
    expect(() => resolve('--records', 'g.ts', '--from-file', 'f.jsonl')).toThrow(/--records: cannot be combined with --from-file/);
    expect(() => resolve('--config', 'a.yaml', '--mode', 'eos')).toThrow(/--mode: cannot be combined with --config/);
    expect(() => resolve('--command', 'node c.ts', '--runtime', 'bun')).toThrow(/--runtime: cannot be combined with --command/);
    expect(() => resolve('--config', 'no-such-file.yaml')).toThrow(/--config: cannot read/);
  });
});
