import { checkIdentifier } from '../../core/index.ts';

/**
 * A checked identifier in double quotes. Names are validated by core's checkIdentifier (letters, digits, underscores)
 * before they get here, so quoting only keeps their case; it is not what makes them safe.
 */
export const quote = (name: string): string => `"${checkIdentifier('identifier', name)}"`;

/** `"schema"."table"`. */
export const qualified = (schema: string, table: string): string => `${quote(schema)}.${quote(table)}`;

/**
 * An index name derived from its table, kept within Postgres's 63 bytes: a long table name is shortened and a hash
 * of the full name appended, so two long tables never end up with the same index name.
 */
export function indexName(table: string, suffix: string): string {
  const name = `${table}_${suffix}`;
  if (name.length <= 63) return name;
  const hash = fnv1a(name).toString(16).padStart(8, '0');
  return `${table.slice(0, 63 - suffix.length - hash.length - 2)}_${hash}_${suffix}`;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** Orders entries by key so concurrent writers lock rows in the same order and cannot deadlock each other. */
export function byKey<T>(entries: readonly T[], key: (entry: T) => string): T[] {
  return [...entries].sort((a, b) => compare(key(a), key(b)));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
