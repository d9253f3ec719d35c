import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { decodeText, parseTraceparent } from '../../core/index.ts';
import { tracedPipelines } from './traced-pipelines.ts';

describe('example: two traced pipelines chained through a topic', () => {
  it('links the second pipeline’s spans to the first one’s send spans, and its output carries its own send span', async () => {
    const exporter = new InMemorySpanExporter();
    const broker = await tracedPipelines(exporter, 10);
    const spans = exporter.getFinishedSpans();
    const firstSends = new Set(spans.filter((s) => s.name === 'send orders-enriched').map((s) => s.spanContext().spanId));
    const secondReceives = spans.filter((s) => s.name === 'receive orders-enriched');
    expect(firstSends.size).toBeGreaterThan(0);
    expect(secondReceives.length).toBeGreaterThan(0);
    for (const receive of secondReceives) {
      expect(receive.links.length).toBeGreaterThan(0);
      for (const link of receive.links) expect(firstSends.has(link.context.spanId)).toBe(true);
    }
    const secondSends = new Set(spans.filter((s) => s.name === 'send shipments').map((s) => s.spanContext().spanId));
    const shipments = broker.records('shipments');
    expect(shipments).toHaveLength(10);
    for (const shipment of shipments) expect(secondSends.has(parseTraceparent(decodeText(shipment.headers.get('traceparent')!))!.spanId)).toBe(true);
  });
});
