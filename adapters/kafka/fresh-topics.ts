// Which topic bases a test file's `freshTopics` calls made, by broker list: kept apart from testing.ts so that the
// suites' cleanup (scripts/drop-fresh-topics.setup.ts) loads the Kafka client only in files that made topics.
const bases = new Map<string, Set<string>>();

/** Remembers `<prefix>-<random>`, the base of topics just made on `brokers` (comma-separated). */
export function rememberFreshTopics(brokers: string, base: string): void {
  bases.set(brokers, (bases.get(brokers) ?? new Set()).add(base));
}

/** The bases remembered so far, by broker list, forgetting them. */
export function takeFreshTopics(): Map<string, Set<string>> {
  const taken = new Map(bases);
  bases.clear();
  return taken;
}
