import { Readable } from 'node:stream';
import type { Consumer } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { consumeStream } from './consume-stream.ts';

/** A client whose stream fails while it sets itself up, on the tick after it was handed over (as a closed client's does). */
const clientWithFailingStream = (failure: Error) =>
  ({
    consume(_options: unknown, callback: (error: Error | null, stream?: Readable) => void) {
      const stream = new Readable({ construct: (done) => done(failure), read: () => {} });
      callback(null, stream);
    },
  }) as unknown as Consumer<Buffer, Buffer, Buffer, Buffer>;

describe('consumeStream', () => {
  it('hears a stream that fails as it sets itself up: no error event without a listener', async () => {
    const failure = new Error('Client is closed.');
    const heard: Error[] = [];
    const stream = await consumeStream(clientWithFailingStream(failure), { topics: ['t'] }, (error) => heard.push(error));
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual([failure]);
    expect(stream.errored).toBe(failure);
  });

  it('rejects when the client refuses to consume', async () => {
    const refusing = { consume: (_o: unknown, callback: (error: Error) => void) => callback(new Error('Client is closed.')) } as unknown as Consumer<Buffer, Buffer, Buffer, Buffer>;
    await expect(consumeStream(refusing, { topics: ['t'] }, () => {})).rejects.toThrow('Client is closed.');
  });
});
