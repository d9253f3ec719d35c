/** What a lane's `work` may do with its place among the `concurrency` lanes running. */
export interface LanePlace {
  /**
   * Gives the place up while `waiting` runs (a backoff between attempts), so other lanes run meanwhile, and takes one
   * again after it (ahead of lanes not started yet).
   */
  aside<R>(waiting: () => Promise<R>): Promise<R>;
}

/**
 * Runs `work` over items grouped in lanes: items of one lane run one after another in their order, different lanes run
 * in parallel, at most `concurrency` at a time (a lane waiting `aside` does not count). `work` returning false ends its
 * lane: the lane's later items are not run. Stops starting new items once `signal` aborts. Rejects with the first error
 * `work` throws, once the lanes running then have stopped.
 */
export function runInLanes<T>(
  items: readonly T[],
  laneOf: (item: T, index: number) => string | number,
  concurrency: number,
  work: (item: T, index: number, place: LanePlace) => Promise<boolean | void>,
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
  const limit = Math.max(1, concurrency);
  let next = 0;
  /** Lanes holding a place, and lanes started and not ended (running or waiting aside). */
  let running = 0;
  let open = 0;
  /** Lanes back from aside, waiting for a place. */
  const resuming: (() => void)[] = [];
  let failure: { readonly error: unknown } | undefined;
  let filling = false;

  return new Promise<void>((resolve, reject) => {
    const stopped = () => failure !== undefined || signal?.aborted === true;
    const fill = (): void => {
      if (filling) return;
      filling = true;
      while (running < limit && resuming.length > 0) {
        running++;
        (resuming.shift() as () => void)();
      }
      while (running < limit && next < queue.length && !stopped()) {
        running++;
        open++;
        void runLane(queue[next++] as number[]);
      }
      filling = false;
      if (open > 0 || (next < queue.length && !stopped())) return;
      if (failure) reject(failure.error);
      else resolve();
    };
    const place: LanePlace = {
      async aside(waiting) {
        running--;
        fill();
        try {
          return await waiting();
        } finally {
          await new Promise<void>((resume) => {
            resuming.push(resume);
            fill();
          });
        }
      },
    };
    const runLane = async (lane: readonly number[]): Promise<void> => {
      try {
        for (const index of lane) {
          if (stopped()) break;
          if ((await work(items[index] as T, index, place)) === false) break;
        }
      } catch (error) {
        failure ??= { error };
      }
      running--;
      open--;
      fill();
    };
    fill();
  });
}
