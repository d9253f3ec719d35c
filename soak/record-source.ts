import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, messageOf } from '../core/index.ts';
import { keyOf, recordIdOf, valueOf } from './records.ts';

/** A record of the user's shape, from `--records MODULE` or a line of `--from-file`. */
export interface SoakRecord {
  /** A string or bytes; absent or null: no key. */
  readonly key?: string | Uint8Array | null;
  /** A string or bytes as they are; anything else is sent as JSON. */
  readonly value: unknown;
  readonly headers?: Readonly<Record<string, string | Uint8Array>>;
}

/** What `--records MODULE` exports (default, or `records`): record `index` of `messages`, or a generator of them. */
export type RecordGenerator =
  | ((index: number, run: { readonly messages: number }) => SoakRecord | Promise<SoakRecord>)
  | ((run: { readonly messages: number }) => Iterator<SoakRecord> | AsyncIterator<SoakRecord>);

/** Where the records come from. */
export type RecordsSpec = { readonly kind: 'default' } | { readonly kind: 'module'; readonly file: string } | { readonly kind: 'file'; readonly file: string };

/** The records of one phase, asked for in order: `take(from, to)` after `take(…, from)`. */
export interface RecordSource {
  take(from: number, to: number): Promise<readonly SoakRecord[]>;
}

const defaultSource = (partitions: number): RecordSource => ({
  take: async (from, to) =>
    Array.from({ length: to - from }, (_, i) => {
      const id = recordIdOf(from + i, partitions);
      return { key: keyOf(id), value: valueOf(id) };
    }),
});

/** Each line a JSON `{ "key", "value", "headers" }`; a line without a `value` field is the value itself. */
export function readJsonLines(file: string): SoakRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('--from-file', `cannot read ${file}: ${messageOf(error)}`);
  }
  const records: SoakRecord[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new ConfigError('--from-file', `${file} line ${index + 1} is not JSON: ${messageOf(error)}`);
    }
    const shaped = typeof parsed === 'object' && parsed !== null && 'value' in parsed;
    records.push(shaped ? (parsed as SoakRecord) : { value: parsed });
  }
  if (records.length === 0) throw new ConfigError('--from-file', `${file} holds no records`);
  return records;
}

/** The file's records in order, from the first again once they run out. */
const fileSource = (records: readonly SoakRecord[]): RecordSource => ({
  take: async (from, to) => Array.from({ length: to - from }, (_, i) => records[(from + i) % records.length] as SoakRecord),
});

const isGeneratorFunction = (fn: unknown): boolean => {
  const name = (fn as { constructor?: { name?: string } }).constructor?.name;
  return name === 'GeneratorFunction' || name === 'AsyncGeneratorFunction';
};

/** Loads `--records MODULE`: its default export, else its `records` export. */
export async function loadRecordGenerator(file: string): Promise<RecordGenerator> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError('--records', `cannot load ${file}: ${messageOf(error)}`);
  }
  const generator = module.default ?? module.records;
  if (typeof generator !== 'function') throw new ConfigError('--records', `${file} must export a function or a generator function (default, or named records)`);
  return generator as RecordGenerator;
}

function generatorSource(generator: RecordGenerator, file: string, messages: number): RecordSource {
  const run = { messages };
  if (!isGeneratorFunction(generator)) {
    const at = generator as (index: number, run: { readonly messages: number }) => SoakRecord | Promise<SoakRecord>;
    return { take: (from, to) => Promise.all(Array.from({ length: to - from }, (_, i) => at(from + i, run))) };
  }
  const iterator = (generator as (run: { readonly messages: number }) => Iterator<SoakRecord> | AsyncIterator<SoakRecord>)(run);
  return {
    async take(from, to) {
      const records: SoakRecord[] = [];
      for (let index = from; index < to; index++) {
        const next = await iterator.next();
        if (next.done) throw new ConfigError('--records', `the generator of ${file} ended after ${index} records; --messages asks for ${messages}`);
        records.push(next.value);
      }
      return records;
    },
  };
}

/** A fresh source for one phase (a generator starts again from its first record). */
export async function openRecords(spec: RecordsSpec, messages: number, partitions: number): Promise<RecordSource> {
  switch (spec.kind) {
    case 'default':
      return defaultSource(partitions);
    case 'file':
      return fileSource(readJsonLines(spec.file));
    case 'module':
      return generatorSource(await loadRecordGenerator(spec.file), spec.file, messages);
  }
}

const encoder = new TextEncoder();

/** Bytes on the wire: strings as UTF-8, bytes as they are, anything else as JSON; null stays null. */
export function bytesOf(value: unknown): Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return Buffer.from(encoder.encode(value));
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(JSON.stringify(value));
}
