import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { ValidationError, commit, deadLetter, formatTraceparent, parseTraceparent, pipeline, pipelineContext, produce, transform } from '../../core/index.ts';
import type { Tracer } from '../../core/index.ts';
import { replay } from '../kafka/replay.ts';
import type { KafkaMessage } from '../kafka/records.ts';
import { brokers, freshTopics, produceRecords, readTopic, unique } from '../kafka/testing.ts';
import { KafkaTransport } from '../kafka/transport.ts';
import { memoryTracing } from './testing.ts';

const count = 10;
const badId = 7;
const upstream = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', sampled: true };

/** Runs `from` → transform → produce `to` [→ dead letters to `dlq`] → commit until `count` records are settled. */
async function chain(tracer: Tracer, from: string, to: string, dlq?: string): Promise<void> {
  const context = pipelineContext({ failureMode: 'skip-and-log', consumerGroup: unique('tracing'), platform: { tracer } });
  const transport = new KafkaTransport({ brokers, groupId: context.consumerGroup, topics: [from], failureMode: 'skip-and-log', instanceId: unique('t'), commitIntervalMs: 50, context });
  const stop = new AbortController();
  const run = pipeline(
    transport.source(stop.signal),
    transform((value: Uint8Array | null) => {
      if (dlq && JSON.parse(Buffer.from(value!).toString()).id === badId) throw new ValidationError('bad record');
      return value;
    }),
    produce(transport.sink, { topic: to }),
    dlq ? deadLetter(transport.sink, { topic: dlq }) : undefined,
    commit(),
  );
  let settled = 0;
  try {
    for await (const result of run) {
      settled += result.ok + result.dropped['dead-lettered'];
      if (settled >= count) stop.abort();
    }
  } finally {
    await transport.close();
  }
}

const traceOf = (message: KafkaMessage) => parseTraceparent(message.headers.get('traceparent')?.toString() ?? '');
const named = (spans: readonly ReadableSpan[], name: string) => spans.filter((span) => span.name === name);
const ids = (spans: readonly ReadableSpan[]) => new Set(spans.map((span) => span.spanContext().spanId));
const links = (spans: readonly ReadableSpan[]) => new Set(spans.flatMap((span) => span.links.map((link) => link.context.spanId)));

describe('OpenTelemetry tracing through Kafka', () => {
  it('follows records through two chained pipelines, their dead letter and its replay, by links and traceparent headers', async () => {
    const topics = await freshTopics('tracing', 2, ['a', 'b', 'c', 'dlq', 'replayed']);
    const { tracer, spans } = memoryTracing();
    await produceRecords(topics.a!, Array.from({ length: count }, (_, id) => ({ key: `k${id}`, value: { id }, headers: { traceparent: formatTraceparent(upstream) } })));

    await chain(tracer, topics.a!, topics.b!);
    await chain(tracer, topics.b!, topics.c!, topics.dlq);
    const summary = await replay({ brokers, dlqTopic: topics.dlq!, to: topics.replayed!, groupId: unique('replay'), tracer, signal: AbortSignal.timeout(30_000) });
    expect(summary.replayed).toBe(1);

    const all = spans();
    // The first pipeline's batches link to the upstream producer; its output records carry its send spans.
    expect(links(named(all, `receive ${topics.a}`))).toEqual(new Set([upstream.spanId]));
    const firstSends = ids(named(all, `send ${topics.b}`));
    const b = await readTopic(topics.b!, count);
    for (const message of b) expect(firstSends.has(traceOf(message)!.spanId)).toBe(true);
    // The second pipeline's batches link to those send spans, and only to them.
    const secondLinks = links(named(all, `receive ${topics.b}`));
    expect(secondLinks.size).toBeGreaterThan(0);
    expect([...secondLinks].every((id) => firstSends.has(id))).toBe(true);
    const secondSends = ids(named(all, `send ${topics.c}`));
    for (const message of await readTopic(topics.c!, count - 1)) expect(secondSends.has(traceOf(message)!.spanId)).toBe(true);
    // The dead letter links to the span that sent the bad record, and carries its own span; the replay links to that.
    const badSentBy = traceOf(b.find((m) => JSON.parse(m.value.toString()).id === badId)!)!.spanId;
    const deadLetters = named(all, `dead_letter ${topics.dlq}`);
    expect(deadLetters).toHaveLength(1);
    expect(links(deadLetters)).toEqual(new Set([badSentBy]));
    const [dead] = await readTopic(topics.dlq!, 1);
    expect(traceOf(dead!)?.spanId).toBe(deadLetters[0]!.spanContext().spanId);
    const replays = named(all, `replay ${topics.replayed}`);
    expect(links(replays)).toEqual(ids(deadLetters));
    const [replayed] = await readTopic(topics.replayed!, 1);
    expect(traceOf(replayed!)?.spanId).toBe(replays[0]!.spanContext().spanId);
  });
});
