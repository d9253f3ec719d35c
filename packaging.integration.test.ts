// What an npm user gets: the package built as `npm pack` builds it (tsc -p tsconfig.build.json), installed into a
// scratch project's node_modules next to the dependencies package.json declares, and imported by plain JavaScript on
// Node with type stripping off — Node strips no types under node_modules, so every export must resolve to built JS.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname);
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  version: string;
};

let project: string;
let installed: string;

/** Node with TypeScript support off: what a package under node_modules gets anyway. */
const nodeJs = (args: string[], cwd: string) => run(process.execPath, ['--no-experimental-strip-types', ...args], { cwd, timeout: 60_000 });

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'orchestron-package-'));
  installed = join(project, 'node_modules', 'orchestron');
  await mkdir(installed, { recursive: true });
  await run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(installed, 'dist')], { cwd: root, timeout: 240_000 });
  await cp(join(root, 'package.json'), join(installed, 'package.json'));
  // Only the declared dependencies are reachable, so an import of an undeclared package fails here as it would for a user.
  for (const dependency of Object.keys(manifest.dependencies)) await symlinkDependency(dependency);
}, 300_000);

/** Makes one of this repository's installed packages reachable from the scratch project. */
async function symlinkDependency(name: string): Promise<void> {
  const link = join(project, 'node_modules', name);
  await mkdir(dirname(link), { recursive: true });
  await symlink(join(root, 'node_modules', name), link, 'dir');
}

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('resolves every export to built JavaScript and runs a pipeline from plain JavaScript', async () => {
    // orchestron/opentelemetry needs the optional peer @opentelemetry/api: loaded in its own test, the rest without it.
    const subpaths = Object.keys(manifest.exports).filter((subpath) => subpath !== './package.json' && subpath !== './opentelemetry');
    expect(subpaths).toEqual(['.', './kafka', './postgres', './mongodb', './redis', './schema-registry']);
    const specifiers = subpaths.map((subpath) => (subpath === '.' ? 'orchestron' : `orchestron/${subpath.slice(2)}`));
    await writeFile(
      join(project, 'consumer.mjs'),
      `const specifiers = ${JSON.stringify(specifiers)};
const loaded = {};
for (const specifier of specifiers) {
  const resolved = import.meta.resolve(specifier);
  const module = await import(specifier);
  loaded[specifier] = { resolved, exports: Object.keys(module).sort() };
}
const { MemoryBroker, commit, decode, json, memorySink, memorySource, pipeline, pipelineContext, produce, transform } = await import('orchestron');
const broker = new MemoryBroker({ defaultPartitions: 2 });
const encoder = new TextEncoder();
broker.append([1, 2, 3].map((n) => ({ topic: 'in', key: encoder.encode('k' + n), value: encoder.encode(JSON.stringify({ n })) })));
const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: 'package-test' });
let ok = 0;
for await (const result of pipeline(
  memorySource(broker, { topics: ['in'], group: 'package-test', context, stopWhenIdle: true }),
  decode(json()),
  transform((value) => ({ doubled: value.n * 2 })),
  produce(memorySink(broker), { topic: 'out' }),
  commit(),
)) ok += result.ok;
console.log(JSON.stringify({ loaded, ok }));
`,
    );
    const { stdout } = await nodeJs(['consumer.mjs'], project);
    const { loaded, ok } = JSON.parse(stdout) as { loaded: Record<string, { resolved: string; exports: string[] }>; ok: number };
    for (const specifier of specifiers) {
      expect(loaded[specifier]?.resolved).toMatch(/\/node_modules\/orchestron\/dist\/.+\.js$/);
      expect(loaded[specifier]?.exports.length).toBeGreaterThan(0);
    }
    expect(loaded['orchestron']?.exports).toEqual(expect.arrayContaining(['pipeline', 'decode', 'dedup', 'transform', 'produce', 'track', 'deadLetter', 'OrchestronError']));
    expect(loaded['orchestron/kafka']?.exports).toContain('KafkaTransport');
    expect(loaded['orchestron/postgres']?.exports).toContain('createPostgresTracker');
    expect(loaded['orchestron/schema-registry']?.exports).toEqual(expect.arrayContaining(['avro', 'protobuf', 'jsonSchema', 'SchemaRegistry']));
    expect(ok).toBe(3);
  });

  it('loads orchestron/opentelemetry once its optional peer @opentelemetry/api is installed, and only then', async () => {
    expect(Object.keys(manifest.exports)).toContain('./opentelemetry');
    const load = () => nodeJs(['--input-type=module', '-e', `const m = await import('orchestron/opentelemetry'); console.log(Object.keys(m).join(','));`], project);
    await expect(load()).rejects.toThrow(/@opentelemetry\/api/);
    await symlinkDependency('@opentelemetry/api');
    expect((await load()).stdout.trim()).toBe('openTelemetryTracer');
  });

  it('ships type declarations beside every export', async () => {
    for (const target of Object.values(manifest.exports)) {
      if (typeof target === 'string') continue;
      const { types } = target as { types: string };
      await expect(readFile(join(installed, types), 'utf8')).resolves.toContain('export');
    }
  });

  it('type-checks a strict TypeScript user project with skipLibCheck off, and its record types catch a misspelt field', async () => {
    // A Node user's project: TypeScript strict, library checks on, Node's globals rather than the DOM's (as the
    // community's Node tsconfig bases set it), and @types/node as any Node project has it.
    await symlinkDependency('@types/node');
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2024', lib: ['es2024'], types: ['node'] },
        files: ['typed.ts'],
      }),
    );
    const user = (field: string) => `import * as v from 'valibot';
import { commit, decode, json, memorySink, memorySource, MemoryBroker, pipeline, pipelineContext, produce, transform } from 'orchestron';
import { KafkaTransport } from 'orchestron/kafka';
import { createPostgresTracker } from 'orchestron/postgres';

interface Order { readonly orderId: string; readonly amount: number }
const OrderSchema = v.object({ orderId: v.string(), amount: v.number() });
const broker = new MemoryBroker();
const context = pipelineContext({ failureMode: 'skip-and-log' });
export const kinds = [typeof KafkaTransport, typeof createPostgresTracker];
export const results = pipeline(
  memorySource(broker, { topics: ['orders'], group: 'typed', context }),
  decode(json<Order>(), { schema: OrderSchema }),
  transform((order) => ({ id: order.${field}, cents: order.amount * 100 })),
  produce(memorySink(broker), { topic: 'out' }),
  commit(),
);
`;
    const tsc = (source: string) =>
      writeFile(join(project, 'typed.ts'), source).then(() => run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project, timeout: 120_000 }));
    await expect(tsc(user('orderId'))).resolves.toBeDefined();
    const failed = await tsc(user('ordreId')).then(
      () => undefined,
      (error: { stdout?: string }) => error.stdout ?? '',
    );
    expect(failed, 'a misspelt field of a decoded record must fail tsc').toMatch(/typed\.ts\(\d+,\d+\): error TS\d+: Property 'ordreId' does not exist/);
  }, 240_000);

  it('installs a working `orchestron` command', async () => {
    const { stdout } = await nodeJs([join(installed, manifest.bin['orchestron'] as string), '--version'], project);
    expect(stdout).toBe(`orchestron ${manifest.version} (node ${process.versions.node})\n`);
  });
});
