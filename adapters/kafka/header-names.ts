import { Buffer } from 'node:buffer';
import { cachedBy } from '../../core/index.ts';

const encodeName = cachedBy((name) => Buffer.from(name, 'utf8'), 1_024);

/**
 * The producer's header-name serializer: UTF-8 like the client's `stringSerializer`, but each name is encoded once —
 * the same few names (trace ids, the dead-letter headers) come with every record, and a Buffer per name per record
 * is a cost the client pays again for each of them. Header bytes are never written to once made.
 */
export function headerNameSerializer(name?: string): Buffer | undefined {
  return typeof name === 'string' ? encodeName(name) : undefined;
}
