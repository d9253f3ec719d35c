import { messageOf } from '../../core/index.ts';
import type { Clock } from '../../core/index.ts';
import type { ReadinessReport } from '../http/app.ts';
import type { Stores } from './stores.ts';
import type { Transport } from './transport.ts';

const pingDeadlineMs = 2_000;
/** How long a store's ping answer is reused: probes from several checkers (or a tight loop) do not each hit the store. */
const pingCacheMs = 1_000;

async function ping(call: (() => Promise<void>) | undefined): Promise<string> {
  if (!call) return 'ok';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${pingDeadlineMs} ms`), pingDeadlineMs)));
  try {
    return await Promise.race([call().then(() => 'ok'), late]);
  } catch (error) {
    return `unreachable: ${messageOf(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

/** One ping at a time per store, its answer reused for `pingCacheMs`. */
function shared(call: (() => Promise<void>) | undefined, clock: Clock): () => Promise<string> {
  let last: { answer: Promise<string>; at: number } | undefined;
  return () => {
    const now = clock.monotonic();
    if (!last || now - last.at >= pingCacheMs) last = { answer: ping(call), at: now };
    return last.answer;
  };
}

/**
 * Ready means: the pipeline is running, no breaker is open, every store answers a ping, the consumer holds at least
 * one partition (an instance without partitions does no work, e.g. more instances than partitions), and no source
 * partition is blocked (its dead letters cannot be written), stalled (records waiting, no committed progress) or,
 * with `maxLag`, lagging by more than `maxLag` offsets: each such partition is a check of its own,
 * `partition:<topic>/<partition>`, saying why. The retry consumer's partitions (`retryTransport`, see docs/retries.md)
 * count when blocked or stalled; a partition it holds until a record is due is neither, and its lag is not checked.
 */
export function readinessOf(parts: {
  transport: Transport;
  retryTransport?: Transport | undefined;
  stores: Stores;
  running: () => boolean;
  clock: Clock;
  maxLag?: number | undefined;
}): () => Promise<ReadinessReport> {
  const { transport, retryTransport, stores, running, clock, maxLag } = parts;
  const pingTracker = stores.tracker ? shared(stores.tracker.ping?.bind(stores.tracker), clock) : undefined;
  const pingDedup = stores.dedup ? shared(stores.dedup.ping?.bind(stores.dedup), clock) : undefined;
  return async () => {
    const checks: Record<string, string> = {};
    checks.pipeline = running() ? 'ok' : 'stopping';
    for (const breaker of stores.breakers) checks[`breaker:${breaker.options.name}`] = breaker.state === 'open' ? `open for ${breaker.retryAfterMs()} ms` : 'ok';
    const [tracker, dedup] = await Promise.all([pingTracker?.(), pingDedup?.()]);
    if (tracker !== undefined) checks.tracker = tracker;
    if (dedup !== undefined) checks.dedup = dedup;
    const partitions = transport.assignedPartitions();
    checks.assignment = partitions > 0 ? 'ok' : 'no partitions assigned';
    const problems = [transport.partitionProblems(), ...(retryTransport ? [retryTransport.partitionProblems()] : [])];
    const blocked = problems.flatMap((p) => p.blocked);
    const stalled = problems.flatMap((p) => p.stalled);
    for (const b of blocked) checks[`partition:${b.topic}/${b.partition}`] = `blocked: ${b.reason}: ${b.detail}`;
    for (const s of stalled) {
      checks[`partition:${s.topic}/${s.partition}`] ??= `stalled: no committed progress for ${Math.round((clock.monotonic() - s.progressAt) / 1000)} s with records waiting (last stage: ${s.lastStage})`;
    }
    if (maxLag !== undefined) {
      for (const l of transport.consumerLag()) {
        if (l.lag > maxLag) checks[`partition:${l.topic}/${l.partition}`] ??= `lagging: ${l.lag} offsets behind (more than kafka.readyMaxLag ${maxLag})`;
      }
    }
    return { ready: Object.values(checks).every((value) => value === 'ok'), checks };
  };
}
