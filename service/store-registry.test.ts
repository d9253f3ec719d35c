// Every store the registry lists reaches the config (its `store` choice, its section, its URL variable), redaction,
// `check`, `run` (openStores), `migrate` and the chaos worker, and nothing in the service or the worker names a store:
// adding a store is its folder plus its line in adapters/registry/stores.ts.
import { readFile, readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryDedupStore, MemoryMetrics, MemoryTracker, createMetrics, silentLogger, systemClock } from '../core/index.ts';
import { storeRegistry } from '../adapters/registry/stores.ts';
import { openTracker as openChaosTracker } from '../chaos/worker/tracker.ts';
import type { StoreKind } from '../chaos/worker/config.ts';
import { migrateCommand } from './commands/migrate.ts';
import { Usage } from './commands/usage.ts';
import { validateConfig } from './config/load.ts';
import { redactConfig } from './config/redact.ts';
import { configReference } from './config/reference.ts';
import { storeSettings, storeUrlOf } from './config/store-url.ts';
import type { Host } from './host.ts';
import { openStores } from './pipeline/stores.ts';
import { writeConfig } from './testing/spawn-cli.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const platform = () => ({ logger: silentLogger, clock: systemClock, metrics: createMetrics(new MemoryMetrics()) });

function recordingHost(env: Record<string, string> = {}): Host & { readonly lines: unknown[] } {
  const lines: unknown[] = [];
  return {
    runtime: 'node',
    runtimeVersion: process.version,
    argv: [],
    env,
    lines,
    serve: () => Promise.reject(new Error('no server in this test')),
    onSignal: () => {},
    write: (_stream, text) => lines.push(...text.trim().split('\n').map((line) => JSON.parse(line) as unknown)),
    exit: () => {},
  };
}

describe.each(storeRegistry.map((entry) => [entry.name, entry] as const))('the %s store entry', (name, entry) => {
  const secretUrl = entry.url ? `${entry.url.schemes[0]}://app:hunter2@${name}.internal:1234/x` : undefined;

  it('is a choice of `store`, and openStores opens its tracker and dedup store with its section', async () => {
    const tracker = vi.spyOn(entry, 'openTracker').mockImplementation(async () => new MemoryTracker({ clock: systemClock }));
    const dedup = vi.spyOn(entry, 'openDedup').mockImplementation(async () => new MemoryDedupStore({ clock: systemClock }));
    const raw = { topics: ['orders'], store: name, trackerStrategy: 'LIGHTWEIGHT', dedup: { enabled: true } };
    const config = validateConfig(raw, secretUrl && entry.url ? { [entry.url.variable]: secretUrl } : {});
    const stores = await openStores(config, platform());
    await stores.close();
    const settings = storeSettings(config, entry);
    expect(tracker).toHaveBeenCalledWith(settings, expect.objectContaining({ logger: silentLogger, clock: systemClock }));
    expect(dedup).toHaveBeenCalledWith(settings, expect.objectContaining({ logger: silentLogger }));
    expect(settings.url).toBe(secretUrl);
  });

  it.skipIf(!entry.url)('has its URL section, its variable overriding it, validated, redacted by check, in the docs and the help', async () => {
    const url = entry.url!;
    const field = `${name}.url`;
    const config = validateConfig({ topics: ['orders'], store: name, trackerStrategy: 'LIGHTWEIGHT' }, { [url.variable]: secretUrl! });
    expect(JSON.stringify(redactConfig(config))).not.toContain('hunter2');
    expect(await storeUrlOf(config)).toMatchObject({ field, variable: url.variable, defaulted: false });
    expect(() => validateConfig({ topics: ['orders'], [name]: { url: 'ftp://elsewhere' } })).toThrow(`${field}: must be a ${url.schemes[0]}://`);
    const unset = validateConfig({ topics: ['orders'], store: name, trackerStrategy: 'LIGHTWEIGHT' });
    expect(await storeUrlOf(unset)).toMatchObject({ defaulted: true, redacted: expect.any(String) });
    expect(configReference()).toContain(`| \`${url.variable}\` | \`${field}\` |`);
    expect(Usage.run).toContain(url.variable);
  });

  it('is what `migrate` migrates, or says it keeps no schema', async () => {
    const migrate = entry.migrate ? vi.spyOn(entry, 'migrate').mockImplementation(async (_settings: unknown, targets: readonly string[], say: (line: object) => void) => say({ targets })) : undefined;
    const host = recordingHost();
    expect(await migrateCommand(host, await writeConfig({ topics: ['orders'], store: name }), ['dedup'])).toBe(0);
    if (migrate) expect(host.lines).toEqual([{ store: name, targets: ['dedup'] }]);
    else expect(host.lines).toEqual([{ store: name, status: `nothing to migrate: the ${name} store keeps no schema` }]);
  });

  it.skipIf(!entry.openFailFastTracker)('is what the chaos worker cuts', async () => {
    const opened = vi.spyOn(entry, 'openFailFastTracker').mockImplementation(async () => new MemoryTracker({ clock: systemClock }));
    await openChaosTracker({ store: name as StoreKind, url: 'x', name: 'drill', strategy: 'OUTBOX', timeoutMs: 50 });
    expect(opened).toHaveBeenCalledWith({ url: 'x', name: 'drill', timeoutMs: 50 });
  });
});

describe('the registry', () => {
  it('is the only place the service and the chaos worker learn of a store', async () => {
    const names = storeRegistry.filter((entry) => entry.url).map((entry) => entry.name);
    const mention = new RegExp(`'(${names.join('|')})'|adapters/(${names.join('|')})/`);
    const files = async (dir: string): Promise<string[]> =>
      (await readdir(new URL(dir, import.meta.url), { recursive: true })).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `${dir}${f}`);
    const offenders: string[] = [];
    for (const file of [...(await files('./')), ...(await files('../chaos/worker/'))]) {
      const text = await readFile(new URL(file, import.meta.url), 'utf8');
      if (mention.test(text)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
