import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../testing/spawn-cli.ts';
import type { Runtime } from '../testing/spawn-cli.ts';

let taken: Server;
let port: number;

beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

describe.each<Runtime>(['node', 'bun', 'deno'])('orchestron run on %s when its HTTP port is taken', (runtime) => {
  it('exits 2 naming the port, the setting and how to take any free port', async () => {
    const file = await writeConfig({ transport: 'memory', topics: ['orders'], http: { host: '127.0.0.1', port }, log: { level: 'info' } });
    const { code, output } = await runCli(runtime, ['run', '--config', file]);
    expect(code, output).toBe(2);
    expect(output).toContain(`http.port: 127.0.0.1:${port} is already in use`);
    expect(output).toContain('or to 0 to take any free port');
  });
});
