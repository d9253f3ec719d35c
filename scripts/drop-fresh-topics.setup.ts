// Vitest setup for the integration and chaos suites: after each test file, the Kafka topics its `freshTopics` calls
// created are deleted, so that running the suites again and again does not pile topics up on the broker.
import { afterAll } from 'vitest';
import { dropFreshTopics } from '../adapters/kafka/testing.ts';

afterAll(() => dropFreshTopics(), 30_000);
