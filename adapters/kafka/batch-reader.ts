import type { MessagesStream } from '@platformatic/kafka';
import type { KafkaMessage } from './records.ts';

type Stream = MessagesStream<Buffer, Buffer, string, Buffer>;

/** Waits for the stream to have data, end, fail, the timeout to pass or the signal to abort — whichever comes first. */
function readable(stream: Stream, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const events = ['readable', 'end', 'close', 'error'];
    const emitter = stream as unknown as NodeJS.EventEmitter;
    const done = () => {
      for (const event of events) emitter.off(event, done);
      signal?.removeEventListener('abort', done);
      if (timer) clearTimeout(timer);
      resolve();
    };
    for (const event of events) emitter.once(event, done);
    signal?.addEventListener('abort', done, { once: true });
    const timer = timeoutMs === undefined ? undefined : setTimeout(done, Math.max(0, timeoutMs));
  });
}

/**
 * Reads the next batch: everything already buffered up to `max`, then, once a first record is there, more as it
 * arrives until `lingerMs` has passed. Returns an empty batch only when the signal aborts or the stream ends.
 */
export async function readBatch(
  stream: Stream,
  max: number,
  lingerMs: number,
  signal: AbortSignal | undefined,
): Promise<KafkaMessage[]> {
  const batch: KafkaMessage[] = [];
  let deadline: number | undefined;
  for (;;) {
    let message: KafkaMessage | null;
    while (batch.length < max && (message = stream.read() as KafkaMessage | null) !== null) batch.push(message);
    if (batch.length >= max) return batch;
    const now = performance.now();
    if (batch.length > 0) {
      deadline ??= now + lingerMs;
      if (now >= deadline) return batch;
    }
    if (stream.destroyed || stream.readableEnded || stream.errored || signal?.aborted) return batch;
    await readable(stream, deadline === undefined ? undefined : deadline - now, signal);
  }
}
