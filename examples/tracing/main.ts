// `npm run example -- tracing`: the two chained pipelines of traced-pipelines.ts, their spans printed on the console,
// or, with OTEL_EXPORTER_OTLP_ENDPOINT set (e.g. http://localhost:4318 for a local collector or Jaeger), exported with
// OTLP/HTTP.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import { tracedPipelines } from './traced-pipelines.ts';

const exporter = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? new OTLPTraceExporter() : new ConsoleSpanExporter();
const broker = await tracedPipelines(exporter);
const shipment = broker.records('shipments')[0];
process.stdout.write(`shipments: ${broker.records('shipments').length}; the first carries traceparent ${new TextDecoder().decode(shipment?.headers.get('traceparent'))}\n`);
