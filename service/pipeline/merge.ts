/**
 * The items of several async iterables as they come, ending when all have ended; the first to throw makes the merge
 * throw (after the others were asked to stop).
 */
export async function* mergeAsync<T>(...sources: readonly AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ readonly index: number; readonly result: IteratorResult<T> }>>();
  const pull = (index: number) => pending.set(index, (iterators[index] as AsyncIterator<T>).next().then((result) => ({ index, result })));
  iterators.forEach((_, index) => pull(index));
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(index);
        continue;
      }
      pull(index);
      yield result.value;
    }
  } finally {
    await Promise.allSettled([...pending.keys()].map((index) => iterators[index]?.return?.()));
  }
}
