import { readFileSync } from 'node:fs';
import type { FailureMode } from '../core/index.ts';
import { modulePath } from './module-path.ts';
import { scrapeIntervalMs } from './process-metrics.ts';

/** The configuration file of the process under test, in the runtime entrypoint's format (`orchestron run --config`). */
export interface PipelineConfig {
  readonly transport: 'kafka';
  readonly failureMode: FailureMode;
  readonly trackerStrategy: 'NONE';
  readonly store: 'memory';
  readonly topics: readonly string[];
  readonly outputTopic: string;
  readonly kafka: {
    readonly brokers: string;
    readonly groupId: string;
    readonly instanceId: string;
    readonly batchSize: number;
    readonly lingerMs: number;
    readonly commitIntervalMs: number;
    /** Its consumer lag measured as often as the soak scrapes it. */
    readonly lagIntervalMs: number;
  };
  /** No `module`: identity. */
  readonly transform: { readonly module?: string; readonly export?: string; readonly concurrency: number };
  readonly http: { readonly port: number };
  readonly log: { readonly level: string };
  readonly shutdown: { readonly deadlineMs: number };
}

export interface PipelineConfigInput {
  readonly mode: 'alo' | 'eos';
  readonly brokers: readonly string[];
  readonly input: string;
  readonly output: string;
  readonly groupId: string;
  readonly instanceId: string;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly commitIntervalMs: number;
  readonly logLevel: string;
}

export const noopTransformPath = modulePath('./noop-transform.ts', import.meta.url);

/** alo → skip-and-log (offsets committed per interval), eos → atomic (a transaction per interval); a no-op transform module. */
export const pipelineConfig = (input: PipelineConfigInput): PipelineConfig => ({
  transport: 'kafka',
  failureMode: input.mode === 'eos' ? 'atomic' : 'skip-and-log',
  trackerStrategy: 'NONE',
  store: 'memory',
  topics: [input.input],
  outputTopic: input.output,
  kafka: {
    brokers: input.brokers.join(','),
    groupId: input.groupId,
    instanceId: input.instanceId,
    batchSize: input.batchSize,
    lingerMs: input.lingerMs,
    commitIntervalMs: input.commitIntervalMs,
    lagIntervalMs: scrapeIntervalMs,
  },
  transform: { module: noopTransformPath, export: 'default', concurrency: 16 },
  http: { port: 0 },
  log: { level: input.logLevel },
  shutdown: { deadlineMs: 10_000 },
});

/** For the soak's own processes: `<script> run --config FILE`. */
export function readPipelineConfig(argv: readonly string[]): PipelineConfig {
  const at = argv.indexOf('--config');
  const file = at >= 0 ? argv[at + 1] : undefined;
  if (argv[0] !== 'run' || !file) throw new Error('usage: run --config FILE');
  return JSON.parse(readFileSync(file, 'utf8')) as PipelineConfig;
}
