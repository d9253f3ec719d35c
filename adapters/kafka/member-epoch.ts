import { connectionsApiChannel } from '@platformatic/kafka';
import type { Consumer } from '@platformatic/kafka';

/** Kafka's API key of ConsumerGroupHeartbeat (KIP-848). */
const consumerGroupHeartbeat = 68;

interface ApiCall {
  readonly apiKey?: unknown;
  readonly result?: unknown;
}

interface HeartbeatAnswer {
  readonly memberId?: unknown;
  readonly memberEpoch?: unknown;
}

/**
 * Consumer protocol (KIP-848): keeps `consumer.generationId` equal to the member epoch the broker gave this member.
 * The client keeps the epoch to itself, while it stamps each fetch's messages with `generationId` (never set under this
 * protocol, so 0) and sends that stamp in the transactional offset commit: without this, every exactly-once commit is
 * refused with ILLEGAL_GENERATION. Being stamped per fetch, a batch fetched before the member's assignment changed is
 * refused (a stale epoch) and read again, as a classic generation change does. Returns the function that stops.
 */
export function followMemberEpoch(consumer: Consumer<Buffer, Buffer, string, Buffer>): () => void {
  const onAnswer = (message: unknown) => {
    const { apiKey, result } = message as ApiCall;
    if (apiKey !== consumerGroupHeartbeat || typeof result !== 'object' || result === null) return;
    const { memberId, memberEpoch } = result as HeartbeatAnswer;
    if (memberId === consumer.memberId && typeof memberEpoch === 'number' && memberEpoch > 0) consumer.generationId = memberEpoch;
  };
  connectionsApiChannel.asyncStart.subscribe(onAnswer);
  return () => connectionsApiChannel.asyncStart.unsubscribe(onAnswer);
}
