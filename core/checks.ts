import { ConfigError } from './errors.ts';

/** A setting that must be one of a fixed list; the error names the field and every allowed value. */
export function checkOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(field, `must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
}

/** A setting that must be a whole number of at least `min`. */
export function checkWholeNumber(field: string, value: unknown, min = 1): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
  throw new ConfigError(field, `must be a whole number ≥ ${min}; got ${JSON.stringify(value)}`);
}
