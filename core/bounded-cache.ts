/**
 * `make`, remembered per key: for values made again and again from a small set of strings (header names, topic
 * names). Bounded: once `limit` keys are held, the next new key empties it, so a flood of distinct keys costs memory
 * only up to the limit.
 */
export function cachedBy<T>(make: (key: string) => T, limit: number): (key: string) => T {
  const made = new Map<string, T>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      if (made.size >= limit) made.clear();
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}
