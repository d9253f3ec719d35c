// Vitest setup for the integration and chaos suites: after each test file, the Kafka topics its `freshTopics` calls
// created are deleted, so that running the suites again and again does not pile topics up on the broker. The Kafka
// client is loaded only in files that made topics.
import { afterAll } from 'vitest';
import { takeFreshTopics } from '../adapters/kafka/fresh-topics.ts';

afterAll(async () => {
  const bases = takeFreshTopics();
  if (bases.size === 0) return;
  const { dropFreshTopics } = await import('../adapters/kafka/testing.ts');
  await dropFreshTopics(bases);
}, 30_000);
