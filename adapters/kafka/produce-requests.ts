import { recordBatchOverheadBytes } from '../../core/index.ts';

/** A message on its way to the client, with its topic and its size as the broker counts it (see recordBytes). */
export interface SizedMessage<M> {
  readonly topic: string;
  readonly bytes: number;
  readonly message: M;
}

/**
 * Most bytes one produce request carries in all, well under the broker's `socket.request.max.bytes` (100 MiB by
 * default), which refuses a larger request by closing the connection.
 */
export const maxRequestBytes = 64 * 1024 * 1024;

/**
 * Splits messages, in their order, into consecutive produce requests whose records per topic stay within that topic's
 * limit (`limitOf`; undefined for none), the record batch's own bytes included. The broker checks the limit per
 * partition (one record batch each); counting per topic is simpler and never lets a partition go over. A message
 * larger than its limit on its own travels alone.
 */
export function requestsWithin<M>(messages: readonly SizedMessage<M>[], limitOf: (topic: string) => number | undefined): SizedMessage<M>[][] {
  const requests: SizedMessage<M>[][] = [];
  let current: SizedMessage<M>[] = [];
  let total = 0;
  const perTopic = new Map<string, number>();
  for (const item of messages) {
    const limit = limitOf(item.topic) ?? Number.POSITIVE_INFINITY;
    const topicBytes = perTopic.get(item.topic) ?? recordBatchOverheadBytes;
    const overTopic = topicBytes + item.bytes > limit;
    const overRequest = total + item.bytes + recordBatchOverheadBytes > maxRequestBytes;
    if (current.length > 0 && (overTopic || overRequest)) {
      requests.push(current);
      current = [];
      total = 0;
      perTopic.clear();
    }
    current.push(item);
    total += item.bytes + (perTopic.has(item.topic) ? 0 : recordBatchOverheadBytes);
    perTopic.set(item.topic, (perTopic.get(item.topic) ?? recordBatchOverheadBytes) + item.bytes);
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
