// In-process companion of overhead.sh: the CPU the stages spend per record with tracing off, at 1 % and at 100 %
// sampling, without Kafka (memory source and sink), so that the machine's noise weighs less than in the soak. Records
// of ~1 KB each carry a traceparent (as the output of an upstream pipeline does); spans go through a batch span
// processor to an exporter that drops them (no serialization). Rounds alternate the three configs.
// Round r starts with config r mod 3, so that no config always follows the same one; with --expose-gc each run
// starts from a collected heap.
// Usage: node --expose-gc bench/tracing/stages.ts [ROUNDS (default 9)] [RECORDS (default 50000)]
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { openTelemetryTracer } from '../../adapters/opentelemetry/index.ts';
import { MemoryBroker, commit, decode, drain, encodeText, json, memorySink, memorySource, noopTracer, pipeline, pipelineContext, produce, transform } from '../../core/index.ts';
import type { Tracer } from '../../core/index.ts';
import { orderJson } from '../fixtures.ts';

const rounds = Number(process.argv[2] ?? 9);
const count = Number(process.argv[3] ?? 50_000);
const dropped: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };

function tracerAt(ratio: number | undefined): { tracer: Tracer; close: () => Promise<void> } {
  if (ratio === undefined) return { tracer: noopTracer, close: async () => {} };
  const provider = new BasicTracerProvider({ sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }), spanProcessors: [new BatchSpanProcessor(dropped)] });
  return { tracer: openTelemetryTracer(provider.getTracer('bench')), close: () => provider.shutdown() };
}

const values = Array.from({ length: 1_000 }, (_, i) => encodeText(orderJson(i)));
const upstream = encodeText('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');

/** CPU µs per record of one run through decode → transform → produce → commit. */
async function cpuPerRecord(ratio: number | undefined): Promise<number> {
  const { tracer, close } = tracerAt(ratio);
  const broker = new MemoryBroker({ defaultPartitions: 6 });
  broker.append(Array.from({ length: count }, (_, i) => ({ topic: 'in', key: encodeText(`k${i}`), value: values[i % values.length]!, headers: new Map([['traceparent', upstream]]) })));
  const context = pipelineContext({ failureMode: 'skip-and-log', platform: { tracer } });
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.cpuUsage();
  await drain(
    pipeline(
      memorySource(broker, { topics: ['in'], group: 'bench', context, stopWhenIdle: true, batchSize: 1_000 }),
      decode(json<unknown>()),
      transform((value: unknown) => value),
      produce(memorySink(broker), { topic: 'out' }),
      commit(),
    ),
  );
  await close();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

const configs = [
  ['off', undefined],
  ['sampled-1pct', 0.01],
  ['sampled-100pct', 1],
] as const;
const results = new Map<string, number[]>(configs.map(([name]) => [name, []]));
await cpuPerRecord(undefined); // warm-up
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < configs.length; i++) {
    const [name, ratio] = configs[(round + i) % configs.length]!;
    results.get(name)!.push(await cpuPerRecord(ratio));
  }
}
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const off = median(results.get('off')!);
process.stdout.write('| tracing | CPU µs per record, rounds | median | vs off |\n| --- | --- | --- | --- |\n');
for (const [name, values] of results) {
  const m = median(values);
  process.stdout.write(`| ${name} | ${values.map((v) => v.toFixed(2)).join(', ')} | ${m.toFixed(2)} | ${name === 'off' ? '—' : `${m >= off ? '+' : ''}${(((m - off) / off) * 100).toFixed(1)} %`} |\n`);
}
