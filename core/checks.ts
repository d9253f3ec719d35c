import { ConfigError } from './errors.ts';

const clipped = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** What kind of value this is, for messages that must not show the value itself (a URL that may hold a password). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}

/** A value as an error message shows it; never throws, whatever the value (BigInts, cycles, null-prototype objects). */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(clipped(value));
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined || typeof value === 'symbol' || typeof value === 'function') return kindOf(value);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return clipped(json);
  } catch {
    // BigInts or cycles inside: fall back to the kind
  }
  return kindOf(value);
}

/** A setting that must be one of a fixed list; the error names the field and every allowed value. */
export function checkOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(field, `must be one of ${allowed.join(', ')}; got ${shownValue(value)}`);
}

/** A setting that must be true or false. */
export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new ConfigError(field, `must be true or false; got ${shownValue(value)}`);
}

/** A setting that must be a whole number of at least `min`. */
export function checkWholeNumber(field: string, value: unknown, min = 1): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
  throw new ConfigError(field, `must be a whole number ≥ ${min}; got ${shownValue(value)}`);
}

/** A setting that must be a whole number from `min` to `max`, both included; the error names the field and the range. */
export function checkIntegerInRange(field: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new ConfigError(field, `must be a whole number from ${min} to ${max}; got ${shownValue(value)}`);
}
