import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { ensureTopics } from './admin.ts';
import { rememberFreshTopics } from './fresh-topics.ts';
import { brokers, unique } from './testing.ts';
import { TopicLimits } from './topic-limits.ts';

describe('TopicLimits', () => {
  it("reads a topic's max.message.bytes once, the broker default for a topic not created yet, and again on refresh", async () => {
    const base = unique('limits');
    rememberFreshTopics(brokers.join(','), base);
    const small = `${base}-small`;
    const plain = `${base}-plain`;
    await ensureTopics(brokers, [
      { name: small, partitions: 1, configs: { 'max.message.bytes': '300000' } },
      { name: plain, partitions: 1 },
    ]);
    const limits = new TopicLimits({ clientId: 'limits-test', bootstrapBrokers: brokers });
    const admin = new Admin({ clientId: unique('limits-admin'), bootstrapBrokers: brokers });
    try {
      expect(limits.known(small)).toBeUndefined();
      expect(await limits.of(small)).toBe(300_000);
      expect(limits.known(small)).toBe(300_000);
      // A topic that does not exist yet will be auto-created with the broker's default, as a topic created without configs.
      const brokerDefault = await limits.of(plain);
      expect(await limits.of(`${base}-missing`)).toBe(brokerDefault);

      await admin.incrementalAlterConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: small,
            configs: [{ name: 'max.message.bytes', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '200000' }],
          },
        ],
      });
      expect(await limits.of(small)).toBe(300_000);
      // The change reaches the broker's view of the configs within moments: refresh until it is seen.
      let changed = false;
      for (let tries = 0; !changed && tries < 50; tries++) {
        changed = await limits.refresh([small, plain]);
        if (!changed) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(changed).toBe(true);
      expect(limits.known(small)).toBe(200_000);
      expect(limits.known(plain)).toBe(brokerDefault);
      expect(await limits.refresh([small])).toBe(false);
    } finally {
      await admin.close();
      await limits.close();
    }
  });
});
