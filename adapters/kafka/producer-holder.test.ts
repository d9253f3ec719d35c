import { describe, expect, it } from 'vitest';
import type { Logger } from '../../core/index.ts';
import type { KafkaProducer, ProducerClaim } from './producer-holder.ts';
import { ProducerHolder } from './producer-holder.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Producers that remember the claim they were made with and whether they were closed. */
function factory() {
  const made: { claim: ProducerClaim; closed: boolean; producerId?: bigint; producerEpoch?: number }[] = [];
  const create = (claim: ProducerClaim) => {
    const producer = { claim, closed: false, producerId: undefined as bigint | undefined, producerEpoch: undefined as number | undefined, close: async () => void (producer.closed = true) };
    made.push(producer);
    return producer as unknown as KafkaProducer;
  };
  return { made, create };
}

describe('ProducerHolder', () => {
  it('starts with -1/-1 and recreates a producer claiming the id and epoch last seen, closing the old one', async () => {
    const { made, create } = factory();
    const holder = new ProducerHolder(create, quiet);
    expect(made[0]?.claim).toEqual({ producerId: -1n, producerEpoch: -1 });
    Object.assign(made[0] as object, { producerId: 7n, producerEpoch: 3 });
    holder.remember();
    // The client forgets its id and epoch after INVALID_PRODUCER_EPOCH: the remembered ones are claimed.
    Object.assign(made[0] as object, { producerId: undefined, producerEpoch: undefined });
    await holder.renew('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(made[1]?.claim).toEqual({ producerId: 7n, producerEpoch: 3 });
    expect(made[0]?.closed).toBe(true);
    expect(holder.current).toBe(made[1]);
    expect(holder.renewals).toBe(1);
  });

  it('creates nothing once closed', async () => {
    const { made, create } = factory();
    const holder = new ProducerHolder(create, quiet);
    await holder.close();
    await holder.renew('late');
    expect(made.length).toBe(1);
    expect(holder.renewals).toBe(0);
  });
});
