// The building blocks of the service's configuration: its own keys (service/config/schema.ts) and each store's
// section (adapters/<store>/store.ts) are made of these, so that every key reads, validates and documents alike.
import * as v from 'valibot';
import { redactUrl, shownValue } from '../../core/index.ts';

export const int = (min: number, fallback: number, about: string) =>
  v.optional(v.pipe(v.number(), v.integer(), v.minValue(min), v.description(about)), fallback);
export const choice = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number], about: string) =>
  v.optional(v.pipe(v.picklist(values), v.description(about)), fallback);
export const flag = (fallback: boolean, about: string) => v.optional(v.pipe(v.boolean(), v.description(about)), fallback);
export const text = (about: string) => v.optional(v.pipe(v.string(), v.minLength(1), v.description(about)));
/** An optional whole number left unset by default, so that the adapter's own default applies. */
export const optionalInt = (min: number, about: string) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(min), v.description(about)));
// Every key of a section is optional, so `{}` is a valid input that valibot fills with the defaults.
export const section = <const E extends v.ObjectEntries>(entries: E, about: string) =>
  v.optional(v.pipe(v.strictObject(entries), v.description(about)), {} as v.InferInput<v.StrictObjectSchema<E, undefined>>);

/** `scheme://[user[:password]@]host…`, no spaces; several hosts (`h1:1,h2:2`) are fine. */
const urlShape = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/\s]*@)?[^/?#@\s]+(?:[/?#]\S*)?$/i;
const hasScheme = (value: string, schemes: readonly string[]): boolean => {
  const scheme = urlShape.exec(value)?.[1]?.toLowerCase();
  return scheme !== undefined && schemes.includes(scheme);
};

/** A store's URL: one of `schemes` with a host; a refused value is shown without its credentials. */
export const storeUrl = (schemes: readonly string[], about: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.minLength(1),
      v.check(
        (value) => hasScheme(value, schemes),
        (issue) => `must be a ${schemes.map((s) => `${s}://`).join(' or ')} URL with a host; got ${shownValue(redactUrl(String(issue.input)))}`,
      ),
      v.description(about),
    ),
  );
