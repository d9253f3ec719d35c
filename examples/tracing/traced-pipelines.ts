// Two pipelines chained through a topic, traced with OpenTelemetry: orders → enrich → orders-enriched → ship →
// shipments. Each batch gets a span per stage; the second pipeline's spans link to the first one's send span through
// the `traceparent` header its output records carry.
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MemoryBroker, commit, decode, drain, encodeText, json, memorySink, memorySource, pipeline, pipelineContext, produce, transform } from '../../core/index.ts';
import type { Tracer } from '../../core/index.ts';
import { openTelemetryTracer } from '../../adapters/opentelemetry/index.ts';

interface Order {
  readonly id: number;
  readonly amount: number;
}

/** One pipeline from `from` to `to`, applying `step`, traced by `tracer`. */
async function run<O>(broker: MemoryBroker, tracer: Tracer, from: string, to: string, step: (order: Order) => O): Promise<void> {
  const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: `${from}-to-${to}`, platform: { tracer } });
  await drain(
    pipeline(
      memorySource(broker, { topics: [from], group: context.consumerGroup, context, stopWhenIdle: true }),
      decode(json<Order>()),
      transform(step),
      produce(memorySink(broker), { topic: to }),
      commit(),
    ),
  );
}

/** Runs both pipelines over `orders` orders, exporting their spans to `exporter`; returns the broker to look into. */
export async function tracedPipelines(exporter: SpanExporter, orders = 10): Promise<MemoryBroker> {
  const provider = new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new BatchSpanProcessor(exporter)] });
  const tracer = openTelemetryTracer(provider.getTracer('orders-example'));
  const broker = new MemoryBroker({ defaultPartitions: 2 });
  broker.append(Array.from({ length: orders }, (_, id) => ({ topic: 'orders', key: encodeText(`order-${id}`), value: encodeText(JSON.stringify({ id, amount: 10 * id })) })));
  await run(broker, tracer, 'orders', 'orders-enriched', (order) => ({ ...order, vat: order.amount * 0.2 }));
  await run(broker, tracer, 'orders-enriched', 'shipments', (order) => ({ id: order.id, ship: true }));
  // Export what is still buffered (a long-running process calls provider.shutdown() when it stops).
  await provider.forceFlush();
  return broker;
}
