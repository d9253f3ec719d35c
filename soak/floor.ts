import hyperid from 'hyperid';
import { deleteTopics, ensureTopics } from './kafka-admin.ts';
import type { SoakOptions } from './options.ts';
import { deliveryFigures } from './phase.ts';
import type { PhaseResult } from './phase.ts';
import { processFigures } from './process-metrics.ts';
import { openRecords } from './record-source.ts';
import { SoakProducer } from './producer.ts';
import { LiveProgress } from './progress.ts';
import { Verifier } from './verifier.ts';

const runId = hyperid({ urlSafe: true });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The soak's own floor (--floor): the same records at the same rate, written by the same producer straight into the
 * topic the verifier reads (read_committed, the same fetch settings), with no process in between. Its latency is what
 * the soak measures for a process that takes no time: producing, the broker, fetching and accounting. A phase's
 * latency can only be read above it. No process, so no CPU, memory or lag figures; throughput is the verifier's rate.
 */
export async function runFloorPhase(options: SoakOptions, round = 1, interrupt?: AbortSignal): Promise<PhaseResult> {
  const messages = options.messages;
  const records = await openRecords(options.records, messages, options.partitions);
  const topic = `soak-floor-${runId()}`;
  await ensureTopics(options.brokers, [{ name: topic, partitions: options.partitions }]);
  const deadline = Date.now() + options.deadlineS * 1000;
  const producer = new SoakProducer({ brokers: options.brokers, topic, messages, partitions: options.partitions, records, ...(options.rate ? { rate: options.rate } : {}) });
  const stopProducing = new AbortController();
  const verifier = new Verifier({ brokers: options.brokers, topic, groupId: `${topic}-verifier`, messages, partitions: options.partitions });
  const live = new LiveProgress(round > 1 ? `floor-${round}` : 'floor', () => ({ produced: producer.produced, consumed: verifier.audit.consumed }));
  let failure: string | undefined;
  try {
    if (options.preload) await producer.run(stopProducing.signal);
    await verifier.start();
    live.start();
    const produced = options.preload ? Promise.resolve() : producer.run(stopProducing.signal);
    void produced.catch((error: unknown) => (failure ??= `producer failed: ${String(error)}`));
    while (!failure) {
      if (interrupt?.aborted) failure = `interrupted (${String(interrupt.reason)})`;
      else if (producer.produced >= messages && verifier.audit.complete) break;
      else if (Date.now() > deadline) failure = `deadline: ${verifier.audit.consumed} of ${messages} records consumed (${producer.produced} produced)`;
      else await sleep(50);
    }
    stopProducing.abort();
    await produced.catch(() => {});
  } catch (error) {
    failure ??= String(error);
  } finally {
    stopProducing.abort();
    live.stop();
    await Promise.allSettled([producer.close(), verifier.close()]);
    if (!options.keepTopics) await deleteTopics(options.brokers, [topic]).catch(() => {});
  }
  const delivery = deliveryFigures(producer, verifier);
  return {
    name: 'floor',
    entrypoint: 'none',
    command: [],
    inputTopic: topic,
    outputTopic: topic,
    groupId: `${topic}-verifier`,
    ...delivery,
    throughput: delivery.verifierRate,
    samples: [],
    lag: [],
    process: processFigures([], messages),
    exit: { code: 0, signal: null },
    failure,
  };
}
