/**
 * A replay's selection as it is written to the audit trail: per dead-letter partition, runs of consecutive offsets
 * `[first, last]`, so that a selection of thousands of dead letters stays a short record.
 */
export type SelectionRanges = Readonly<Record<string, readonly (readonly [string, string])[]>>;

const idPattern = /^(\d+)-(\d+)$/;

/** The ranges of entry ids (`<partition>-<offset>`). */
export function toRanges(ids: Iterable<string>): SelectionRanges {
  const byPartition = new Map<string, bigint[]>();
  for (const id of ids) {
    const match = idPattern.exec(id);
    if (!match) continue;
    const [, partition, offset] = match as unknown as [string, string, string];
    const offsets = byPartition.get(partition);
    if (offsets) offsets.push(BigInt(offset));
    else byPartition.set(partition, [BigInt(offset)]);
  }
  const ranges: Record<string, (readonly [string, string])[]> = {};
  for (const [partition, offsets] of byPartition) {
    offsets.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const runs: (readonly [string, string])[] = [];
    let first = offsets[0] as bigint;
    let last = first;
    for (const offset of offsets.slice(1)) {
      if (offset === last + 1n || offset === last) {
        last = offset;
        continue;
      }
      runs.push([String(first), String(last)]);
      first = last = offset;
    }
    runs.push([String(first), String(last)]);
    ranges[partition] = runs;
  }
  return ranges;
}

/** The entry ids of `ranges`; what is not shaped as `toRanges` writes it is left out. */
export function fromRanges(ranges: unknown): string[] {
  if (typeof ranges !== 'object' || ranges === null) return [];
  const ids: string[] = [];
  for (const [partition, runs] of Object.entries(ranges as Record<string, unknown>)) {
    if (!/^\d+$/.test(partition) || !Array.isArray(runs)) continue;
    for (const run of runs as unknown[]) {
      if (!Array.isArray(run) || run.length !== 2 || !run.every((n) => typeof n === 'string' && /^\d+$/.test(n))) continue;
      const [first, last] = run.map((n) => BigInt(n as string)) as [bigint, bigint];
      // A range no replay could have written (the index keeps at most console.maxRecords) is not trusted.
      if (last < first || last - first > 10_000_000n) continue;
      for (let offset = first; offset <= last; offset++) ids.push(`${partition}-${offset}`);
    }
  }
  return ids;
}
