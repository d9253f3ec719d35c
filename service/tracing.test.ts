import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { spawnCli, writeConfig } from './testing/spawn-cli.ts';
import type { Runtime } from './testing/spawn-cli.ts';

interface OtlpValue {
  readonly stringValue?: string;
  readonly intValue?: string | number;
}
interface OtlpAttribute {
  readonly key: string;
  readonly value: OtlpValue;
}
interface OtlpSpan {
  readonly name: string;
  readonly attributes: readonly OtlpAttribute[];
}
interface OtlpExport {
  readonly resourceSpans: readonly {
    readonly resource: { readonly attributes: readonly OtlpAttribute[] };
    readonly scopeSpans: readonly { readonly spans: readonly OtlpSpan[] }[];
  }[];
}

/** An OTLP/HTTP receiver (JSON, as the OTLP/HTTP exporter sends by default) that keeps what it is sent. */
async function otlpReceiver() {
  const exports: OtlpExport[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString();
      if (request.url === '/v1/traces' && request.headers['content-type']?.startsWith('application/json')) exports.push(JSON.parse(text) as OtlpExport);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, exports, close: () => new Promise((resolve) => server.close(resolve)) };
}

const text = (attributes: readonly OtlpAttribute[], key: string) => attributes.find((a) => a.key === key)?.value.stringValue;

describe.each<Runtime>(['node', 'bun', 'deno'])('orchestron run with tracing.enabled on %s', { timeout: 60_000 }, (runtime) => {
  it('exports its spans with OTLP/HTTP to where OTEL_EXPORTER_OTLP_ENDPOINT says', async () => {
    const receiver = await otlpReceiver();
    const dir = await mkdtemp(join(tmpdir(), 'orchestron-tracing-'));
    const input = join(dir, 'input.jsonl');
    await writeFile(input, Array.from({ length: 20 }, (_, id) => JSON.stringify({ id })).join('\n'));
    const file = await writeConfig({
      transport: 'memory',
      topics: ['orders'],
      outputTopic: 'enriched',
      failureMode: 'skip-and-log',
      trackerStrategy: 'NONE',
      memory: { inputFile: input },
      http: { port: 0, host: '127.0.0.1' },
      tracing: { enabled: true },
    });
    const cli = spawnCli(runtime, ['run', '--config', file], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SERVICE_NAME: 'order-enricher' });
    try {
      const url = await cli.url(30_000);
      for (let tries = 0; !(await (await fetch(`${url}/metrics`)).text()).includes('orchestron_records_ok_total{topic="orders"} 20'); tries++) {
        if (tries > 200) throw new Error('the records were not processed');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      cli.signal('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      cli.signal('SIGKILL');
      await receiver.close();
    }
    // Spans still buffered at SIGTERM are exported before the process exits.
    const resources = receiver.exports.flatMap((e) => e.resourceSpans);
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.map((r) => text(r.resource.attributes, 'service.name'))).toContain('order-enricher');
    const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(new Set(spans.map((s) => s.name))).toEqual(new Set(['receive orders', 'process orders', 'send enriched', 'commit orders']));
    const send = spans.find((s) => s.name === 'send enriched')!;
    expect(text(send.attributes, 'messaging.system')).toBe('kafka');
    expect(text(send.attributes, 'messaging.destination.name')).toBe('enriched');
  });
});
