import type * as v from 'valibot';
import { section, storeUrl } from './config-fields.ts';
import type { StoreEntry } from './store-entry.ts';

type SectionSchema<E extends v.ObjectEntries> = ReturnType<typeof section<{ readonly url: ReturnType<typeof storeUrl> } & E>>;
type EntriesOf<S> = S extends StoreEntry<string, infer E> ? E : never;

/** The config sections of the stores that have one (`postgres: { url, … }`), keyed by store name. */
export type StoreSections<R extends readonly StoreEntry[]> = {
  [S in R[number] as [EntriesOf<S>] extends [never] ? never : S['name']]: SectionSchema<EntriesOf<S>>;
};

/** The `<name>` section of each store with settings: its `url` (with the scheme and variable in its description), then its own keys. */
export function storeSections<const R extends readonly StoreEntry[]>(registry: R): StoreSections<R> {
  const sections = registry.flatMap(({ name, url, settings }) => {
    if (!settings) return [];
    const entries: v.ObjectEntries = url ? { url: storeUrl(url.schemes, `${url.schemes[0]}:// URL. Env: ${url.variable}.`), ...settings.entries } : settings.entries;
    return [[name, section(entries, settings.about)] as const];
  });
  return Object.fromEntries(sections) as StoreSections<R>;
}
