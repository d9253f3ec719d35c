import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolvePaymentsOptions } from './dead-letter-retries/config.ts';
import { resolveSagaSettings } from './order-saga/settings.ts';
import { resolveOrchestratorSettings } from './orders-orchestrator/settings.ts';
import { resolveHubOptions } from './webhook-hub/config.ts';

interface Uses {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly group: string;
  /** Its default HTTP port, for the examples that serve one. */
  readonly port?: number;
}

/** What each runnable example reads and writes with its defaults, as the docs tell a user to run them one after another. */
async function defaults(): Promise<Record<string, Uses>> {
  const orchestrator = resolveOrchestratorSettings();
  const payments = resolvePaymentsOptions();
  const saga = resolveSagaSettings();
  const hub = resolveHubOptions();
  const cli = parse(await readFile(join(import.meta.dirname, 'config', 'kafka.yaml'), 'utf8')) as {
    topics: string[];
    outputTopic: string;
    deadLetterTopic: string;
    kafka: { groupId: string };
  };
  return {
    'orders-orchestrator': {
      reads: [orchestrator.sourceTopic],
      writes: [orchestrator.targetTopic, orchestrator.dlqTopic],
      group: orchestrator.groupId,
      port: orchestrator.httpPort,
    },
    'dead-letter-retries': { reads: [payments.inputTopic], writes: [payments.outputTopic, payments.deadLetterTopic], group: payments.groupId, port: payments.httpPort },
    'order-saga': { reads: [saga.paymentTopic, saga.stockTopic], writes: [saga.ordersTopic, saga.dlqTopic], group: saga.groupId, port: saga.httpPort },
    'webhook-hub': { reads: [hub.topic], writes: [hub.topic, hub.deliveredTopic], group: hub.consumerGroup, port: hub.port },
    'examples/config/kafka.yaml': { reads: cli.topics, writes: [cli.outputTopic, cli.deadLetterTopic], group: cli.kafka.groupId },
  };
}

describe("the examples' default topics and groups", () => {
  it('never feed one example into another, never share a dead-letter or output topic, a consumer group or an HTTP port', async () => {
    const examples = Object.entries(await defaults());
    const owner = new Map<string, string>();
    for (const [name, uses] of examples) {
      const port = uses.port === undefined ? [] : [`port:${uses.port}`];
      for (const topic of new Set([...uses.reads, ...uses.writes, `group:${uses.group}`, ...port])) {
        expect(owner.get(topic), `${topic} is used by both ${owner.get(topic)} and ${name}`).toBeUndefined();
        owner.set(topic, name);
      }
    }
  });
});
