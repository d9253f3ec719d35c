/**
 * Runs `work` over items grouped in lanes: items of one lane run one after another in their order, different lanes run
 * in parallel, at most `concurrency` at a time. Stops starting new items once `signal` aborts.
 */
export async function runInLanes<T>(
  items: readonly T[],
  laneOf: (item: T, index: number) => string | number,
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const lanes = new Map<string | number, number[]>();
  items.forEach((item, index) => {
    const lane = laneOf(item, index);
    const list = lanes.get(lane);
    if (list) list.push(index);
    else lanes.set(lane, [index]);
  });
  const queue = [...lanes.values()];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length && !signal?.aborted) {
      const lane = queue[next++] as number[];
      for (const index of lane) {
        if (signal?.aborted) return;
        await work(items[index] as T, index);
      }
    }
  };
  const workers = Math.max(1, Math.min(concurrency, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
}
