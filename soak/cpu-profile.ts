// `node soak/cpu-profile.ts FILE.cpuprofile [--top N]`: where a --cpu-prof profile spent its time, by function (self
// time) and by package or folder (self time summed), so a soak's profile can be read without DevTools.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface TimeShare {
  readonly name: string;
  readonly ms: number;
  readonly pct: number;
}

/** Where a frame's code lives: a package in node_modules, a repository folder, node internals, or V8 itself. */
export function placeOf(url: string): string {
  if (url === '') return '(v8)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1] as string;
  const repo = /\/(core|adapters|service|runtime-node|runtime-bun|soak|examples)\/([^/]+)/.exec(url);
  return repo ? `${repo[1]}/${repo[2]}` : url;
}

/** Self time per function and per place, largest first. */
export function selfTimes(profile: CpuProfile): { functions: TimeShare[]; places: TimeShare[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const fnMs = new Map<string, number>();
  const placeMs = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    total += ms;
    const frame = node.callFrame;
    const fn = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    fnMs.set(fn, (fnMs.get(fn) ?? 0) + ms);
    const place = placeOf(frame.url);
    placeMs.set(place, (placeMs.get(place) ?? 0) + ms);
  });
  const shares = (map: Map<string, number>) =>
    [...map].map(([name, ms]) => ({ name, ms: Math.round(ms), pct: Math.round((ms / total) * 1000) / 10 })).sort((a, b) => b.ms - a.ms);
  return { functions: shares(fnMs), places: shares(placeMs), totalMs: Math.round(total) };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  const top = Number(values.top ?? 25);
  for (const file of positionals) {
    const { functions, places, totalMs } = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    process.stdout.write(`${file}: ${totalMs} ms sampled\n\nby place (self time)\n`);
    for (const p of places.slice(0, top)) process.stdout.write(`  ${p.pct.toFixed(1).padStart(5)}%  ${String(p.ms).padStart(7)} ms  ${p.name}\n`);
    process.stdout.write('\nby function (self time)\n');
    for (const f of functions.slice(0, top)) process.stdout.write(`  ${f.pct.toFixed(1).padStart(5)}%  ${String(f.ms).padStart(7)} ms  ${f.name}\n`);
  }
}
