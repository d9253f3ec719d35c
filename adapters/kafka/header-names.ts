import { Buffer } from 'node:buffer';

/** Header names seen so far and their bytes. Bounded: a flood of distinct names empties it. */
const names = new Map<string, Buffer>();
const namesLimit = 1_024;

/**
 * The producer's header-name serializer: UTF-8 like the client's `stringSerializer`, but each name is encoded once —
 * the same few names (trace ids, the dead-letter headers) come with every record, and a Buffer per name per record
 * is a cost the client pays again for each of them.
 */
export function headerNameSerializer(name?: string): Buffer | undefined {
  if (typeof name !== 'string') return undefined;
  let bytes = names.get(name);
  if (bytes === undefined) {
    if (names.size >= namesLimit) names.clear();
    bytes = Buffer.from(name, 'utf8');
    names.set(name, bytes);
  }
  return bytes;
}
