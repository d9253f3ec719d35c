// The Schema Registry codecs' encode and decode rates next to the JSON codec's, on the core benchmarks' 1 KB order
// (bench/fixtures.ts), with tinybench in the current runtime. Writes bench/out/codecs-<runtime>.json; with `--report`,
// merges those files into the table of BENCHMARKS.md instead. `npm run bench:codecs` runs Node, Bun, then the report.
// The registry is in-process (MemorySchemaRegistry): ids are resolved once and cached, as they are against a real one,
// so these are the codecs' own costs, per record.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { encodeValue, json } from '../core/index.ts';
import type { Envelope } from '../core/index.ts';
import { MemorySchemaRegistry, avro, jsonSchema, protobuf } from '../adapters/schema-registry/index.ts';
import type { RegistryCodec } from '../adapters/schema-registry/index.ts';
import { batchSize, orderJson } from './fixtures.ts';

declare const Bun: { version: string } | undefined;
const runtime = typeof Bun !== 'undefined' ? 'bun' : 'node';
const version = typeof Bun !== 'undefined' ? Bun.version : process.versions.node;
const out = new URL('./out/', import.meta.url);

interface Row {
  readonly name: string;
  readonly runtime: string;
  readonly runtimeVersion: string;
  readonly perSecond: number;
  readonly rme: number;
  readonly date: string;
  readonly bytes: number;
  /** The machine's 1-minute load average when the run ended (2 cores: above 2, other work competed). */
  readonly load: number;
}

const line = { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }, { name: 'quantity', type: 'int' }, { name: 'unitPrice', type: 'double' }] };
const orderAvro = {
  type: 'record',
  name: 'Order',
  namespace: 'bench',
  fields: [
    ...['orderId', 'customerId', 'currency', 'createdAt', 'note'].map((name) => ({ name, type: 'string' })),
    { name: 'lines', type: { type: 'array', items: line } },
  ],
};
const orderProto = `syntax = "proto3";
package bench;
message Order {
  string orderId = 1;
  string customerId = 2;
  string currency = 3;
  string createdAt = 4;
  string note = 5;
  message Line {
    string sku = 1;
    int32 quantity = 2;
    double unitPrice = 3;
  }
  repeated Line lines = 6;
}
`;
const text = { type: 'string' };
const orderJsonSchema = {
  title: 'bench.Order',
  type: 'object',
  properties: {
    orderId: text,
    customerId: text,
    currency: text,
    createdAt: text,
    note: text,
    lines: {
      type: 'array',
      items: { type: 'object', properties: { sku: text, quantity: { type: 'integer' }, unitPrice: { type: 'number' } }, required: ['sku', 'quantity', 'unitPrice'] },
    },
  },
  required: ['orderId', 'customerId', 'currency', 'createdAt', 'lines'],
};

const orders = Array.from({ length: batchSize }, (_, i) => JSON.parse(orderJson(i)) as Record<string, unknown>);
const record = {} as Envelope;

async function suites(): Promise<{ name: string; bytes: number; run: () => void }[]> {
  const registry = new MemorySchemaRegistry();
  const jsonCodec = json();
  const jsonBytes = orders.map((order) => encodeValue(order) as Uint8Array);
  const formats: [string, RegistryCodec<unknown>][] = [
    ['avro', avro({ registry, schema: orderAvro, autoRegister: true })],
    ['protobuf', protobuf({ registry, schema: orderProto, autoRegister: true })],
    ['json-schema', jsonSchema({ registry, schema: orderJsonSchema, autoRegister: true })],
  ];
  const all = [
    { name: 'encode json (encodeValue)', bytes: jsonBytes[0]?.byteLength ?? 0, run: () => orders.forEach((o) => encodeValue(o)) },
    { name: 'decode json', bytes: jsonBytes[0]?.byteLength ?? 0, run: () => jsonBytes.forEach((b) => jsonCodec.decode(b, record)) },
  ];
  for (const [name, codec] of formats) {
    const encode = await codec.encoder('orders');
    const bytes = orders.map((order) => encode(order));
    await codec.read(bytes[0] as Uint8Array); // the schema fetched once, as the decode stage does before a batch
    all.push(
      { name: `encode ${name}`, bytes: bytes[0]?.byteLength ?? 0, run: () => orders.forEach((o) => encode(o)) },
      { name: `decode ${name}`, bytes: bytes[0]?.byteLength ?? 0, run: () => bytes.forEach((b) => codec.decode(b, record)) },
    );
  }
  return all;
}

async function measure(): Promise<void> {
  const list = await suites();
  const bench = new Bench({ time: 1_000, iterations: 64, warmupTime: 250 });
  for (const suite of list) bench.add(suite.name, suite.run);
  await bench.run();
  const rows: Row[] = bench.tasks.map((task) => {
    const result = task.result as unknown as { throughput: { mean: number; rme: number } };
    return {
      name: task.name,
      runtime,
      runtimeVersion: version,
      perSecond: Math.round(result.throughput.mean * batchSize),
      rme: Number(result.throughput.rme.toFixed(2)),
      date: new Date().toISOString(),
      bytes: list.find((s) => s.name === task.name)?.bytes ?? 0,
      load: Number((loadavg()[0] ?? 0).toFixed(2)),
    };
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL(`codecs-${runtime}.json`, out), `${JSON.stringify(rows, null, 2)}\n`);
  for (const row of rows) console.log(`${runtime.padEnd(5)} ${row.name.padEnd(28)} ${row.perSecond.toLocaleString('en-US').padStart(12)} records/s  ±${row.rme}%`);
}

function report(): void {
  const rows = readdirSync(out)
    .filter((file) => /^codecs-.*\.json$/.test(file))
    .flatMap((file) => JSON.parse(readFileSync(new URL(file, out), 'utf8')) as Row[]);
  if (rows.length === 0) throw new Error('no codec results in bench/out/: run `npm run bench:codecs`');
  const fmt = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'));
  const find = (name: string, rt: string) => rows.find((row) => row.name === name && row.runtime === rt);
  const jsonRow = (direction: string, rt: string) => find(`${direction} json${direction === 'encode' ? ' (encodeValue)' : ''}`, rt);
  const against = (name: string, rt: string): string => {
    const row = find(name, rt);
    const base = jsonRow(name.split(' ')[0] as string, rt);
    return row && base ? `${(row.perSecond / base.perSecond).toFixed(2)}×` : '—';
  };
  const versions = [...new Set(rows.map((row) => `${row.runtime} ${row.runtimeVersion}`))].join(', ');
  const library = (name: string) => `${name} ${(JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version}`;
  const loads = rows.map((row) => row.load);
  const table = [
    `Measured ${rows[0]?.date.slice(0, 10)} on ${versions} with ${['avsc', 'protobufjs', 'ajv'].map(library).join(', ')}; load average ` +
      `${Math.min(...loads)}–${Math.max(...loads)} on the 2 cores. Records per second, a record being one 1 KB order (its size in the wire format under "bytes").`,
    '',
    '| codec | bytes | Node records/s | Bun records/s | Node, against JSON | Bun, against JSON |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...[...new Set(rows.map((row) => row.name))].map((name) => {
      const node = find(name, 'node');
      const bun = find(name, 'bun');
      const rates = `${fmt(node?.perSecond)} ±${node?.rme ?? '—'}% | ${fmt(bun?.perSecond)} ±${bun?.rme ?? '—'}%`;
      return `| ${name} | ${fmt(node?.bytes ?? bun?.bytes)} | ${rates} | ${against(name, 'node')} | ${against(name, 'bun')} |`;
    }),
  ].join('\n');
  const doc = new URL('../BENCHMARKS.md', import.meta.url);
  const [start, end] = ['<!-- bench:codecs:start -->', '<!-- bench:codecs:end -->'];
  const current = readFileSync(doc, 'utf8');
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`BENCHMARKS.md needs the markers ${start} and ${end}`);
  writeFileSync(doc, `${current.slice(0, from + start.length)}\n${table}\n${current.slice(to)}`);
  console.log('BENCHMARKS.md codec table updated');
}

if (process.argv.includes('--report')) report();
else await measure();
