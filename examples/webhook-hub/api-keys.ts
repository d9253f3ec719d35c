/** A sender's key and the name it is known by in logs and metrics (the key itself is never logged). */
export interface ApiKey {
  readonly name: string;
  readonly key: string;
}

const utf8 = new TextEncoder();

/** Compares in time that depends on the lengths only, not on where the bytes first differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i % Math.max(1, b.length)] ?? 0);
  return difference === 0;
}

/** The configured keys; `identify` tells which one a request presented, checking every key every time. */
export class ApiKeys {
  readonly #keys: readonly { readonly name: string; readonly bytes: Uint8Array }[];

  constructor(keys: readonly ApiKey[]) {
    this.#keys = keys.map((k) => ({ name: k.name, bytes: utf8.encode(k.key) }));
  }

  /** The name of the key presented, or undefined when it matches none. */
  identify(presented: string): string | undefined {
    const bytes = utf8.encode(presented);
    let found: string | undefined;
    for (const key of this.#keys) if (sameBytes(key.bytes, bytes) && found === undefined) found = key.name;
    return found;
  }
}
