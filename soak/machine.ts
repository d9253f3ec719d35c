import { arch, availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';

/** What the run ran on: a figure from a 2-core laptop under load is not one from an idle 16-core server. */
export interface MachineFacts {
  /** Logical CPUs, and how many this process may use (cgroup or affinity limits). */
  readonly cores: number;
  readonly available_parallelism: number;
  readonly cpu_model: string | null;
  readonly total_memory_mb: number;
  /** 1, 5 and 15 minute load averages when the soak started and when it finished (0 on Windows). */
  readonly load_average_start: readonly number[];
  readonly load_average_end: readonly number[];
  /** `Linux 6.8.0 x64` */
  readonly os: string;
  /** The Node running the soak itself (producer, verifier); the process under test's runtime is in `versions`. */
  readonly soak_node: string;
}

const loads = (): number[] => loadavg().map((n) => Math.round(n * 100) / 100);

/** The facts at the start; `finish` adds the load average at the end. */
export function machineAtStart(): Omit<MachineFacts, 'load_average_end'> {
  return {
    cores: cpus().length,
    available_parallelism: availableParallelism(),
    cpu_model: cpus()[0]?.model.trim() || null,
    total_memory_mb: Math.round(totalmem() / 2 ** 20),
    load_average_start: loads(),
    os: `${type()} ${release()} ${arch()}`,
    soak_node: `node ${process.versions.node}`,
  };
}

export const machineAtEnd = (start: Omit<MachineFacts, 'load_average_end'>): MachineFacts => ({ ...start, load_average_end: loads() });

/** `Xeon, 2 cores, 24,106 MiB, Linux 6.8.0 x64, load average (1 min) 4.20 at the start, 4.80 at the end` */
export function machineLine(machine: MachineFacts): string {
  const load = (l: readonly number[]) => (l[0] === undefined ? '—' : l[0].toFixed(2));
  return (
    `${machine.cpu_model ? `${machine.cpu_model}, ` : ''}${machine.cores} cores` +
    `${machine.available_parallelism !== machine.cores ? ` (${machine.available_parallelism} available)` : ''}, ${machine.total_memory_mb.toLocaleString('en-US')} MiB, ${machine.os}, ` +
    `load average (1 min) ${load(machine.load_average_start)} at the start, ${load(machine.load_average_end)} at the end`
  );
}
