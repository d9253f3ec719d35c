import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import {
  MemoryBroker,
  ValidationError,
  commit,
  deadLetter,
  decodeText,
  encodeText,
  formatTraceparent,
  memorySink,
  memorySource,
  parseTraceparent,
  pipeline,
  pipelineContext,
  produce,
  transform,
} from '../../core/index.ts';
import type { Headers, StoredRecord, TraceContext, Tracer } from '../../core/index.ts';
import { collect, record } from '../../core/testing/fixtures.ts';
import { memoryTracing } from './testing.ts';

const upstream: TraceContext[] = [
  { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', sampled: true, traceState: 'vendor=one' },
  { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true },
];
const traced = (context: TraceContext): Headers =>
  new Map([
    ['traceparent', encodeText(formatTraceparent(context))],
    ...(context.traceState ? [['tracestate', encodeText(context.traceState)] as const] : []),
  ]);
const traceOf = (stored: StoredRecord): TraceContext | undefined => {
  const traceparent = stored.headers.get('traceparent');
  return traceparent ? parseTraceparent(decodeText(traceparent)) : undefined;
};
const linked = (span: ReadableSpan) => span.links.map((link) => link.context.spanId).sort();

async function run(tracer?: Tracer) {
  const broker = new MemoryBroker({ defaultPartitions: 1 });
  broker.append([
    record('orders', 'a', 'good', traced(upstream[0]!)),
    record('orders', 'b', 'good', traced(upstream[0]!)),
    record('orders', 'c', 'bad', traced(upstream[1]!)),
    record('orders', 'd', 'good'),
  ]);
  const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: 'enrich', ...(tracer ? { platform: { tracer } } : {}) });
  const sink = memorySink(broker);
  const results = await collect(
    pipeline(
      memorySource(broker, { topics: ['orders'], group: 'enrich', context, stopWhenIdle: true, batchSize: 10 }),
      transform((value: Uint8Array | null) => {
        if (decodeText(value!) === 'bad') throw new ValidationError('bad order');
        return value;
      }),
      produce(sink, { topic: 'orders-enriched' }),
      deadLetter(sink),
      commit(),
    ),
  );
  return { broker, results };
}

describe('OpenTelemetry tracing', () => {
  it('makes a span per batch per stage, children of the receive span, linked to the records’ producer spans', async () => {
    const { tracer, spans } = memoryTracing();
    await run(tracer);
    const byName = new Map(spans().map((span) => [span.name, span]));
    expect([...byName.keys()].sort()).toEqual(['commit orders', 'dead_letter orders-dlq', 'process orders', 'receive orders', 'send orders-enriched']);
    const receive = byName.get('receive orders')!;
    expect(receive.kind).toBe(SpanKind.CLIENT);
    expect(receive.parentSpanContext).toBeUndefined();
    expect(linked(receive)).toEqual([upstream[1]!.spanId, upstream[0]!.spanId].sort());
    expect(receive.links.find((link) => link.context.spanId === upstream[0]!.spanId)?.context.traceState?.get('vendor')).toBe('one');
    expect(receive.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'receive',
      'messaging.destination.name': 'orders',
      'messaging.destination.partition.id': '0',
      'messaging.consumer.group.name': 'enrich',
      'messaging.batch.message_count': 4,
    });
    for (const name of ['process orders', 'send orders-enriched', 'dead_letter orders-dlq', 'commit orders']) {
      const span = byName.get(name)!;
      expect(span.parentSpanContext?.spanId, name).toBe(receive.spanContext().spanId);
      expect(span.spanContext().traceId, name).toBe(receive.spanContext().traceId);
    }
    const send = byName.get('send orders-enriched')!;
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.attributes).toMatchObject({ 'messaging.operation.type': 'send', 'messaging.destination.name': 'orders-enriched', 'messaging.batch.message_count': 3 });
    const dead = byName.get('dead_letter orders-dlq')!;
    expect(linked(dead)).toEqual([upstream[1]!.spanId]);
    expect(dead.attributes).toMatchObject({ 'messaging.operation.type': 'send', 'messaging.destination.name': 'orders-dlq', 'messaging.batch.message_count': 1 });
    expect(byName.get('commit orders')!.attributes).toMatchObject({ 'messaging.operation.type': 'settle', 'orchestron.batch.committed': true });
  });

  it('gives a batch of one record that record’s offset', async () => {
    const { tracer, spans } = memoryTracing();
    const broker = new MemoryBroker({ defaultPartitions: 1 });
    broker.append([record('orders', 'a', 'one'), record('orders', 'b', 'two')]);
    const context = pipelineContext({ platform: { tracer } });
    await collect(pipeline(memorySource(broker, { topics: ['orders'], group: 'g', context, stopWhenIdle: true, batchSize: 1 }), commit()));
    expect(spans().filter((s) => s.name === 'receive orders').map((s) => s.attributes['messaging.kafka.offset'])).toEqual([0, 1]);
  });

  it('hands the context on: output records carry the send span, dead letters the dead-letter span', async () => {
    const { tracer, spans } = memoryTracing();
    const { broker } = await run(tracer);
    const spanId = (name: string) => spans().find((span) => span.name === name)!.spanContext().spanId;
    const outputs = broker.records('orders-enriched').map(traceOf);
    expect(outputs).toHaveLength(3);
    for (const output of outputs) expect(output).toMatchObject({ spanId: spanId('send orders-enriched'), sampled: true });
    expect(broker.records('orders-dlq').map((dead) => traceOf(dead)?.spanId)).toEqual([spanId('dead_letter orders-dlq')]);
    expect(broker.records('orders-enriched')[0]!.headers.has('tracestate')).toBe(false);
  });

  it('off by default: no span, the records’ headers pass through as they came', async () => {
    const { broker } = await run();
    expect(broker.records('orders-enriched').map((out) => traceOf(out)?.spanId)).toEqual([upstream[0]!.spanId, upstream[0]!.spanId, undefined]);
  });
});
