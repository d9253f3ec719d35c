import type { ConsumeOptions, Consumer, MessagesStream } from '@platformatic/kafka';

/**
 * `consumer.consume(options)`, with `onError` listening on the stream from the moment the client hands it over. The
 * stream sets itself up on the next tick and can fail right then (a client closed meanwhile answers "Client is
 * closed"); an 'error' event with no listener yet, as after awaiting the promise form, would end the process.
 */
export function consumeStream<K, V, HK, HV>(
  consumer: Consumer<K, V, HK, HV>,
  options: ConsumeOptions<K, V, HK, HV>,
  onError: (error: Error) => void,
): Promise<MessagesStream<K, V, HK, HV>> {
  return new Promise((resolve, reject) => {
    consumer.consume(options, (error, stream) => {
      if (error || !stream) {
        reject(error ?? new Error('the Kafka client gave no stream'));
        return;
      }
      stream.on('error', onError);
      resolve(stream);
    });
  });
}
