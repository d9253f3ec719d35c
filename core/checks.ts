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

/** A setting that must be a whole number from `min` to `max`, both included; the error names the field and the range. */
export function checkIntegerInRange(field: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const shown = typeof value === 'number' || typeof value === 'bigint' ? String(value) : JSON.stringify(value);
  throw new ConfigError(field, `must be a whole number from ${min} to ${max}; got ${shown}`);
}
