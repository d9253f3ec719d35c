import { consumerGroupChannel, consumerHeartbeatChannel } from '@platformatic/kafka';
import type { Consumer } from '@platformatic/kafka';
import { instanceIdConflict } from './errors.ts';

interface TracedCall {
  readonly client?: unknown;
  readonly error?: unknown;
}

/**
 * Calls `onTaken` when the broker tells `consumer` that a newer member took its group instance id (FENCED_INSTANCE_ID:
 * another process runs with the same instance id). The client answers that by rejoining, which takes the id back
 * and fences the other process in turn, so both would go on trading the partitions; it reports the error only on its
 * diagnostic channels. Returns the function that stops watching.
 */
export function watchInstanceId(consumer: Consumer<Buffer, Buffer, string, Buffer>, onTaken: (error: unknown) => void): () => void {
  const onError = (message: unknown) => {
    const { client, error } = message as TracedCall;
    if (client === consumer && instanceIdConflict(error) === 'taken') onTaken(error);
  };
  const channels = [consumerHeartbeatChannel.error, consumerGroupChannel.error];
  for (const channel of channels) channel.subscribe(onError);
  return () => {
    for (const channel of channels) channel.unsubscribe(onError);
  };
}
