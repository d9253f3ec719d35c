// An OTLP/HTTP endpoint that takes spans and drops them, so that exporting costs the pipeline what it costs against a
// collector, without one. Prints how many requests and bytes it took when stopped (SIGTERM, SIGINT).
import { createServer } from 'node:http';

const port = Number(process.env.OTLP_SINK_PORT ?? 4318);
let requests = 0;
let bytes = 0;
const server = createServer((request, response) => {
  request.on('data', (chunk: Buffer) => (bytes += chunk.length));
  request.on('end', () => {
    requests++;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(port, '127.0.0.1', () => process.stderr.write(`otlp sink on http://127.0.0.1:${port}\n`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    process.stderr.write(`otlp sink: ${requests} requests, ${bytes} bytes\n`);
    process.exit(0);
  });
}
