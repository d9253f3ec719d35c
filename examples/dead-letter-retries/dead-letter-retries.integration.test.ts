import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders, MemoryMetrics, silentLogger } from '../../core/index.ts';
import { ReplayCountHeader, replay } from '../../adapters/kafka/index.ts';
import type { KafkaMessage } from '../../adapters/kafka/index.ts';
import { brokers, freshTopics, produceRecords, readTopic, unique } from '../../adapters/kafka/testing.ts';
import { resolvePaymentsOptions } from './config.ts';
import type { Payment } from './order.ts';
import { startPaymentsPipeline } from './pipeline.ts';
import type { PaymentsPipeline } from './pipeline.ts';
import { sampleOrders } from './samples.ts';

const timeoutV1 = 300;
const slowMs = 800;

async function settled(payments: PaymentsPipeline, records: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (payments.totals().paid + payments.totals().deadLettered < records) {
    if (Date.now() > deadline) throw new Error(`pipeline settled ${JSON.stringify(payments.totals())} of ${records} records`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const header = (message: KafkaMessage, name: string) => message.headers.get(name)?.toString();
const payment = (message: KafkaMessage) => JSON.parse(message.value.toString()) as Payment;

describe('example: dead-letter-retries', () => {
  it('pays good and transiently failing orders, dead-letters the rest with their context, and replays them after the fix', async () => {
    const topics = (await freshTopics('dlr', 3, ['in', 'out', 'dlq'])) as { in: string; out: string; dlq: string };
    const group = unique('dlr');
    const samples = sampleOrders(unique('ord'), slowMs);
    await produceRecords(topics.in, samples.map((s) => ({ key: s.key, value: s.value, headers: { trace: `t-${s.orderId}` } })));
    const common = {
      brokers,
      inputTopic: topics.in,
      outputTopic: topics.out,
      deadLetterTopic: topics.dlq,
      groupId: group,
      retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 200 },
      batchSize: 100,
    };
    const paid = samples.filter((s) => s.expected === 'paid');
    const dead = samples.filter((s) => s.expected !== 'paid');
    const retryable = dead.filter((s) => s.expected === 'PROCESSING_ERROR' || s.expected === 'TIMEOUT_ERROR');
    expect(paid.length).toBeGreaterThan(0);
    expect(new Set(dead.map((s) => s.expected)).size).toBe(4);

    const metrics = new MemoryMetrics();
    const events: Record<string, unknown>[] = [];
    const audit = { ...silentLogger, info: (fields: Record<string, unknown>) => void events.push(fields) };
    const v1 = startPaymentsPipeline(resolvePaymentsOptions({ ...common, gateway: 'v1', timeoutMs: timeoutV1, instanceId: 'payments-v1' }), {
      logger: silentLogger,
      metrics,
      audit,
    });
    await settled(v1, samples.length);
    expect(await v1.stop()).toMatchObject({ paid: paid.length, deadLettered: dead.length });
    // The audit trail: one event per record outcome, apart from the health log.
    expect(events.filter((e) => e.event === 'payment.paid').map((e) => e.orderId).sort()).toEqual(paid.map((s) => s.orderId).sort());
    const deadEvents = events.filter((e) => e.event === 'payment.dead_lettered');
    expect(deadEvents.map((e) => e.category).sort()).toEqual(dead.map((s) => s.expected).sort());
    expect(deadEvents.every((e) => !('value' in e) && !('payload' in e))).toBe(true);

    const firstOutput = await readTopic(topics.out, paid.length);
    expect(firstOutput.map((m) => payment(m).orderId).sort()).toEqual(paid.map((s) => s.orderId).sort());
    for (const message of firstOutput) {
      const sample = samples.find((s) => s.orderId === payment(message).orderId);
      expect(message.key.toString()).toBe(sample?.key);
      expect(header(message, 'trace')).toBe(`t-${sample?.orderId}`);
      expect(payment(message).gateway).toBe('v1');
    }

    const letters = await readTopic(topics.dlq, dead.length);
    expect(letters.length).toBe(dead.length);
    for (const letter of letters) {
      const sample = dead.find((s) => s.value === letter.value.toString());
      expect(sample, `dead letter ${letter.value.toString()} is one of the failing samples`).toBeDefined();
      if (!sample) continue;
      const isRetryable = sample.expected === 'PROCESSING_ERROR' || sample.expected === 'TIMEOUT_ERROR';
      expect(letter.key.toString()).toBe(sample.key);
      expect(header(letter, 'trace')).toBe(`t-${sample.orderId}`);
      expect(header(letter, DeadLetterHeaders.category)).toBe(sample.expected);
      expect(header(letter, DeadLetterHeaders.code)).toBe(sample.expected);
      expect(header(letter, DeadLetterHeaders.retryable)).toBe(String(isRetryable));
      // Skip-and-log retries inside one delivery: the record reached the pipeline once.
      expect(header(letter, DeadLetterHeaders.sourceAttempts)).toBe('1');
      expect(header(letter, DeadLetterHeaders.sourceTopic)).toBe(topics.in);
      expect(header(letter, DeadLetterHeaders.sourceConsumerGroup)).toBe(group);
      expect(header(letter, DeadLetterHeaders.sourceHost)).toBe(hostname());
      expect(Number(header(letter, DeadLetterHeaders.sourceOffset))).toBeGreaterThanOrEqual(0);
      const first = Date.parse(header(letter, DeadLetterHeaders.firstFailureAt) ?? '');
      const last = Date.parse(header(letter, DeadLetterHeaders.lastFailureAt) ?? '');
      if (sample.expected === 'TIMEOUT_ERROR') {
        // Three attempts, each cut at the deadline: the last failure comes at least two deadlines after the first.
        expect(last - first).toBeGreaterThanOrEqual(2 * timeoutV1 - 20);
        expect(header(letter, DeadLetterHeaders.message)).toMatch(/timed out after 300 ms/);
      } else if (sample.expected === 'PROCESSING_ERROR') {
        expect(last).toBeGreaterThanOrEqual(first);
        expect(header(letter, DeadLetterHeaders.message)).toMatch(/\(500\).*JPY/);
      } else {
        expect(last).toBe(first);
      }
    }
    // The retry schedule, counted by the core's metrics: transient failures, stalls and exhausted attempts.
    expect(metrics.total('orchestron_transform_retries_total')).toBe(samples.reduce((sum, s) => sum + s.retries, 0));
    for (const category of ['DESERIALIZATION_ERROR', 'VALIDATION_ERROR', 'PROCESSING_ERROR', 'TIMEOUT_ERROR']) {
      expect(metrics.value('orchestron_records_dead_lettered_total', { topic: topics.in, category })).toBe(
        dead.filter((s) => s.expected === category).length,
      );
    }

    // The fix: gateway v2 with a deadline above the slow acquirer's latency, then the retryable dead letters replayed.
    const v2 = startPaymentsPipeline(resolvePaymentsOptions({ ...common, gateway: 'v2', timeoutMs: 5_000, instanceId: 'payments-v2' }), {
      logger: silentLogger,
    });
    const summary = await replay({ brokers, dlqTopic: topics.dlq, categories: ['PROCESSING_ERROR', 'TIMEOUT_ERROR'], groupId: unique('replay') });
    expect(summary).toMatchObject({ read: dead.length, replayed: retryable.length, skipped: dead.length - retryable.length, parked: 0 });
    await settled(v2, retryable.length);
    expect(await v2.stop()).toMatchObject({ paid: retryable.length, deadLettered: 0 });

    const finalOutput = await readTopic(topics.out, paid.length + retryable.length);
    const orderIds = finalOutput.map((m) => payment(m).orderId);
    expect(orderIds.sort()).toEqual(samples.filter((s) => s.paidAfterFix).map((s) => s.orderId).sort());
    for (const message of finalOutput.filter((m) => payment(m).gateway === 'v2')) {
      const sample = retryable.find((s) => s.orderId === payment(message).orderId);
      expect(sample).toBeDefined();
      expect(header(message, ReplayCountHeader)).toBe('1');
      expect(header(message, 'trace')).toBe(`t-${sample?.orderId}`);
      if (payment(message).currency === 'JPY') expect(payment(message).amountMinor).toBe(payment(message).amount);
    }
    expect(finalOutput.filter((m) => payment(m).gateway === 'v2').length).toBe(retryable.length);
    expect((await readTopic(topics.dlq, dead.length)).length).toBe(dead.length);
  });
});
