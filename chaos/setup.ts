// Global setup of the vitest project `chaos`: Toxiproxy up (built and started by scripts/services/toxiproxy.sh, or
// reused), its URL handed to the scenarios through `inject('toxiproxyUrl')`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    toxiproxyUrl: string;
  }
}

const script = fileURLToPath(new URL('../scripts/services/toxiproxy.sh', import.meta.url));

export default function setup(project: TestProject): void {
  const stdout = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = /^TOXIPROXY_URL=(.+)$/m.exec(stdout)?.[1];
  if (!url) throw new Error(`scripts/services/toxiproxy.sh printed no TOXIPROXY_URL: ${stdout}`);
  project.provide('toxiproxyUrl', url);
}
