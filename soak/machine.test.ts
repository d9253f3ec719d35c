import { describe, expect, it } from 'vitest';
import { machineAtEnd, machineAtStart, machineLine } from './machine.ts';

describe('soak machine facts', () => {
  it('records the cores, memory, OS and the load average at the start and the end', () => {
    const facts = machineAtEnd(machineAtStart());
    expect(facts.cores).toBeGreaterThan(0);
    expect(facts.total_memory_mb).toBeGreaterThan(0);
    expect(facts.load_average_start).toHaveLength(3);
    expect(facts.load_average_end).toHaveLength(3);
    expect(facts.soak_node).toBe(`node ${process.versions.node}`);
  });

  it('says them in one line', () => {
    const line = machineLine({
      cores: 4,
      available_parallelism: 2,
      cpu_model: 'Xeon',
      total_memory_mb: 16_000,
      load_average_start: [1.5, 1, 0.5],
      load_average_end: [3.25, 2, 1],
      os: 'Linux 6.8.0 x64',
      soak_node: 'node 24.21.0',
    });
    expect(line).toBe('Xeon, 4 cores (2 available), 16,000 MiB, Linux 6.8.0 x64, load average (1 min) 1.50 at the start, 3.25 at the end');
  });
});
