import { GroupProtocols } from '@platformatic/kafka';
import type { ResolvedKafkaOptions } from './options.ts';

/**
 * The consumer's group settings for its protocol. The consumer protocol (KIP-848) has no client-side session timeout,
 * heartbeat interval or assignor: the broker sets the first two per group and assigns partitions itself.
 */
export function consumerGroupOptions(o: ResolvedKafkaOptions) {
  const member = o.groupInstanceId === undefined ? {} : { groupInstanceId: o.groupInstanceId };
  if (o.groupProtocol === 'consumer') {
    return { groupProtocol: GroupProtocols.CONSUMER, rebalanceTimeout: o.rebalanceTimeoutMs, ...member };
  }
  return {
    groupProtocol: GroupProtocols.CLASSIC,
    rebalanceTimeout: o.rebalanceTimeoutMs,
    ...(o.sessionTimeoutMs === undefined ? {} : { sessionTimeout: o.sessionTimeoutMs }),
    ...(o.heartbeatIntervalMs === undefined ? {} : { heartbeatInterval: o.heartbeatIntervalMs }),
    ...member,
  };
}
